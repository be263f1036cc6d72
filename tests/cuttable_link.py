"""A TCP link the test can cut and heal: a forwarder between a client and a server.

Cutting closes every connection through it and refuses new ones until healed, as a
pulled cable or a dropped Wi-Fi between two brokers would (the far side sees a reset).
"""

from __future__ import annotations

import asyncio
import contextlib

from hub import free_loopback_port


class CuttableLink:
    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = free_loopback_port()
        self.connections = 0
        self._server: asyncio.Server | None = None
        self._pipes: set[asyncio.Task[None]] = set()
        self._writers: set[asyncio.StreamWriter] = set()

    async def __aenter__(self) -> CuttableLink:
        await self.heal()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.cut()

    async def heal(self) -> None:
        """Accepts connections (again) on :attr:`port`."""
        if self._server is None:
            self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.port)

    async def cut(self) -> None:
        """Stops accepting and closes every connection through the link."""
        server, self._server = self._server, None
        if server is not None:
            server.close()
        for writer in list(self._writers):
            writer.close()
        for pipe in list(self._pipes):
            pipe.cancel()
        await asyncio.gather(*self._pipes, return_exceptions=True)
        if server is not None:
            await server.wait_closed()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            far_reader, far_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            writer.close()
            return
        self.connections += 1
        self._writers |= {writer, far_writer}
        pipes = [
            asyncio.create_task(self._pipe(reader, far_writer)),
            asyncio.create_task(self._pipe(far_reader, writer)),
        ]
        self._pipes.update(pipes)
        # Either direction ending ends both, like a TCP connection.
        await asyncio.wait(pipes, return_when=asyncio.FIRST_COMPLETED)
        for pipe in pipes:
            pipe.cancel()
        await asyncio.gather(*pipes, return_exceptions=True)
        self._pipes.difference_update(pipes)
        for end in (writer, far_writer):
            self._writers.discard(end)
            end.close()
            with contextlib.suppress(OSError, asyncio.CancelledError):
                await end.wait_closed()

    @staticmethod
    async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError):
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
