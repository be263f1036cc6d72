"""Polar H10: heart rate with RR intervals, and the raw accelerometer through PMD."""

from __future__ import annotations

import asyncio
import logging
import time

import numpy as np
from bleak import BleakClient
from bleak.exc import BleakError

from firmware_bridge._driver import Capability, Clock, DeviceProfile, Emit
from firmware_bridge._errors import DeviceCommandError, MalformedPayload, MtuTooSmall
from firmware_bridge._mtu import negotiated_mtu
from firmware_bridge._samples import AccelBatch
from firmware_bridge.heart_rate import HEART_RATE_SERVICE, HeartRateDriver
from firmware_bridge.polar._pmd import (
    PMD_CONTROL,
    PMD_DATA,
    PMD_MIN_MTU,
    ControlOp,
    ControlPointResponse,
    MeasurementStopped,
    MeasurementType,
    PmdStatus,
    SettingType,
    acceleration_in_g,
    choose_settings,
    command,
    default_factor,
    parse_control_point,
    parse_features,
    parse_pmd_frame,
    parse_settings,
    status_meaning,
)

log = logging.getLogger(__name__)

NS_PER_S = 1_000_000_000


class PolarH10Driver(HeartRateDriver):
    """Heart rate as any strap, plus acceleration streamed over PMD at up to 200 Hz.

    On every (re)connection: both PMD notifications on, ask the device which acceleration
    settings it offers, start with exactly those settings (nearest to the wished rate and
    range), and decode each frame into an :class:`AccelBatch`. A refused command raises
    :class:`DeviceCommandError` with the device's status, so the link retries and the log
    says why.

    Sample times: the frame's timestamp is that of its last sample, so sample ``i`` of
    ``n`` is given ``arrival - (n - 1 - i) / rate`` on the hub's clock (the radio's delay is
    the same for every sample of a frame, and small), and
    ``timestamp - (n - 1 - i) * 1e9 / rate`` in ``sensor_ns`` (ns since 2000-01-01 on the
    strap's clock).
    """

    profile = DeviceProfile(
        key="polar_h10",
        label="Polar H10",
        capabilities=frozenset({Capability.HEART_RATE, Capability.RAW_ACCEL}),
        advertised_services=(HEART_RATE_SERVICE,),
        name_prefixes=("Polar H10",),
        # Heart rate comes every second and acceleration many times a second.
        expected_interval_s=5.0,
    )

    def __init__(
        self,
        clock: Clock = time.monotonic,
        *,
        sample_rate_hz: int = 200,
        range_g: int = 8,
        response_timeout_s: float = 5.0,
    ) -> None:
        super().__init__(clock)
        self.sample_rate_hz = sample_rate_hz
        self.range_g = range_g
        self._response_timeout_s = response_timeout_s
        self._responses: asyncio.Queue[ControlPointResponse] = asyncio.Queue()
        # What the running stream was started with; None until it runs.
        self.settings: dict[SettingType, int] | None = None
        self._factor = default_factor(16, range_g)
        self._client: BleakClient | None = None
        self._restart: asyncio.Task[None] | None = None
        # Streams restarted after the strap stopped one by itself.
        self.restarts = 0

    async def start(self, client: BleakClient, emit: Emit) -> None:
        await self.start_heart_rate(client, emit)
        await self._start_acceleration(client, emit)

    async def _start_acceleration(self, client: BleakClient, emit: Emit) -> None:
        self.settings = None
        self._client = None
        if self._restart is not None:
            self._restart.cancel()  # it belonged to the connection that is gone
        self._responses = asyncio.Queue()
        mtu = await negotiated_mtu(client)
        if mtu is not None and mtu < PMD_MIN_MTU:
            raise MtuTooSmall(self.profile.label, mtu, PMD_MIN_MTU)
        features = parse_features(bytes(await client.read_gatt_char(PMD_CONTROL)))
        if MeasurementType.ACC not in features:
            raise DeviceCommandError(
                "start acceleration",
                PmdStatus.NOT_SUPPORTED,
                "this device has no PMD accelerometer",
            )

        def on_control(_: object, data: bytearray) -> None:
            self._on_control(bytes(data))

        def on_data(_: object, data: bytearray) -> None:
            self._on_data(bytes(data), emit)

        # Both before any command, or the control point never answers.
        await client.start_notify(PMD_CONTROL, on_control)
        await client.start_notify(PMD_DATA, on_data)

        self._client = client
        await self._start_stream(client)

    async def _start_stream(self, client: BleakClient) -> None:
        """Ask for the settings on offer and start the stream with them."""
        offered = await self._request(client, ControlOp.GET_SETTINGS, "get acceleration settings")
        chosen = choose_settings(
            parse_settings(offered.parameters),
            sample_rate_hz=self.sample_rate_hz,
            range_g=self.range_g,
        )
        # Known before the start command, so the stream's first frame can be decoded.
        self.settings = chosen
        self._factor = default_factor(
            chosen.get(SettingType.RESOLUTION, 16), chosen.get(SettingType.RANGE, self.range_g)
        )
        try:
            try:
                started = await self._request(client, ControlOp.START, "start acceleration", chosen)
            except DeviceCommandError as error:
                if error.status != PmdStatus.ALREADY_IN_STATE:
                    raise
                # Still streaming from before, maybe with other settings: start afresh.
                await self._request(client, ControlOp.STOP, "stop acceleration")
                started = await self._request(client, ControlOp.START, "start acceleration", chosen)
        except BaseException:
            self.settings = None
            raise
        factors = parse_settings(started.parameters).get(SettingType.FACTOR, ())
        if factors:
            self._factor = float(factors[0])

    async def _restart_stream(self, client: BleakClient) -> None:
        try:
            await self._start_stream(client)
        except (BleakError, DeviceCommandError, MalformedPayload, TimeoutError) as error:
            # Heart rate goes on; without motion data the wearer cannot tap, so say so loudly.
            log.error("%s: could not restart acceleration: %s", self.profile.label, error)
        else:
            self.restarts += 1

    async def _request(
        self,
        client: BleakClient,
        op: ControlOp,
        what: str,
        settings: dict[SettingType, int] | None = None,
    ) -> ControlPointResponse:
        """Send one command and wait for its answer, joining multi-part answers."""
        await client.write_gatt_char(
            PMD_CONTROL, command(op, MeasurementType.ACC, settings), response=True
        )
        parameters = b""
        while True:
            try:
                async with asyncio.timeout(self._response_timeout_s):
                    response = await self._responses.get()
            except TimeoutError:
                raise TimeoutError(
                    f"{what}: no answer from the PMD control point within "
                    f"{self._response_timeout_s:g} s"
                ) from None
            if response.op != op:
                log.info("ignoring a PMD answer to op %d while waiting for %d", response.op, op)
                continue
            if not response.ok:
                raise DeviceCommandError(what, response.status, status_meaning(response.status))
            parameters += response.parameters
            if not response.more:
                return ControlPointResponse(
                    op, response.measurement, response.status, False, parameters
                )

    def _on_control(self, data: bytes) -> None:
        self.heard()
        try:
            message = parse_control_point(data)
        except MalformedPayload as error:
            self.malformed(error)
            return
        if isinstance(message, MeasurementStopped):
            client = self._client
            if MeasurementType.ACC in message.measurements and client is not None:
                # Heart rate would go on and hide it: without this the wearer's taps stop.
                log.warning("%s stopped its acceleration stream; restarting", self.profile.label)
                self.settings = None
                self._restart = asyncio.create_task(self._restart_stream(client))
            return
        self._responses.put_nowait(message)

    def _on_data(self, data: bytes, emit: Emit) -> None:
        self.heard()
        arrival = self.clock()
        settings = self.settings
        if settings is None:
            return  # a frame from before this connection's start: its settings are unknown
        try:
            frame = parse_pmd_frame(data, resolution_bits=settings.get(SettingType.RESOLUTION, 16))
        except MalformedPayload as error:
            self.malformed(error)
            return
        if frame.measurement != MeasurementType.ACC or not frame.samples:
            return
        rate = float(settings.get(SettingType.SAMPLE_RATE, self.sample_rate_hz))
        count = len(frame.samples)
        back = np.arange(count - 1, -1, -1, dtype=np.float64)  # samples before the last
        emit(
            AccelBatch(
                times=arrival - back / rate,
                xyz_g=acceleration_in_g(frame, self._factor),
                rate_hz=rate,
                sensor_ns=tuple(
                    frame.timestamp_ns - round(b * NS_PER_S / rate) for b in back.tolist()
                ),
                device=self.profile.label,
            )
        )
