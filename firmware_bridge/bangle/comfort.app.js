// Comfort for Bangle.js 2: taps, button presses and heart rate go to the comfort hub as
// lines of JSON on the Bluetooth UART; the hub buzzes the watch with lines of
// "\x10Bangle.buzz(ms,strength)" on the same UART.
(function () {
  // The hub calls the link stale after 15 s without a word: say something every 5 s.
  var HEARTBEAT_MS = 5000;
  // How often the firmware reads the accelerometer, tap engine included. The default is
  // 80 ms (800 ms when idle); 20 ms gets a tap to the hub without waiting.
  var POLL_MS = 20;
  // A press this long means stop (the hub's vocabulary says the same).
  var LONG_PRESS_MS = 1000;
  // Holding the button 1.5 s normally leaves the app, which would cut a long press
  // short; 4 s still lets the wearer leave on purpose.
  var LEAVE_AFTER_MS = 4000;
  var DEFAULT_LEAVE_AFTER_MS = 1500;
  var DEFAULT_POLL_MS = 80;

  var connected = NRF.getSecurityStatus().connected;
  var lastEvent = "";

  function send(message) {
    if (connected) Bluetooth.println(JSON.stringify(message));
  }

  function draw() {
    var r = Bangle.appRect;
    var x = r.x + r.w / 2;
    var y = r.y + r.h / 2;
    g.reset().clearRect(r);
    g.setFontAlign(0, 0).setFont("Vector", 26).drawString("Comfort", x, y - 30);
    g.setFont("6x8", 2).drawString(connected ? "connected" : "waiting", x, y + 5);
    g.drawString(lastEvent, x, y + 35);
  }

  function noted(text) {
    lastEvent = text;
    draw();
  }

  function onConnect() {
    connected = true;
    // The fastest interval BLE allows: a tap reaches the hub within a few ms.
    NRF.setConnectionInterval(7.5);
    draw();
  }

  NRF.on("connect", onConnect);
  NRF.on("disconnect", function () {
    connected = false;
    draw();
  });

  Bangle.on("tap", function (tap) {
    send({ t: "tap", dir: tap.dir, double: tap.double });
    noted(tap.double ? "double tap" : "tap");
  });

  // Falling edge: the press has ended, and lastTime is when it began.
  setWatch(
    function (e) {
      var ms = Math.round((e.time - e.lastTime) * 1000);
      send({ t: "btn", long: ms >= LONG_PRESS_MS, ms: ms });
      noted(ms >= LONG_PRESS_MS ? "long press" : "press");
    },
    BTN1,
    { repeat: true, edge: "falling", debounce: 25 }
  );

  Bangle.setHRMPower(1, "comfort");
  Bangle.on("HRM", function (hrm) {
    send({ t: "hrm", bpm: hrm.bpm, confidence: hrm.confidence });
  });

  setInterval(function () {
    send({ t: "hb" });
  }, HEARTBEAT_MS);

  // With Settings > Bluetooth > Programmable off, what the hub writes arrives here
  // instead of at the console: run its buzz lines, and nothing else.
  var pending = "";
  Bluetooth.on("data", function (data) {
    pending += data;
    var lines = pending.split("\n");
    pending = lines.pop();
    if (pending.length > 64) pending = "";
    lines.forEach(function (line) {
      if (line.charCodeAt(0) === 16) line = line.substr(1);
      var buzz = /^Bangle\.buzz\((\d+),([0-9.]+)\)\r?$/.exec(line);
      if (buzz) Bangle.buzz(Math.min(5000, +buzz[1]), Math.min(1, +buzz[2]));
    });
  });

  Bangle.setPollInterval(POLL_MS);
  Bangle.setOptions({ btnLoadTimeout: LEAVE_AFTER_MS });
  E.on("kill", function () {
    Bangle.setHRMPower(0, "comfort");
    Bangle.setOptions({ btnLoadTimeout: DEFAULT_LEAVE_AFTER_MS });
    Bangle.setPollInterval(DEFAULT_POLL_MS);
  });

  Bangle.loadWidgets();
  Bangle.drawWidgets();
  if (connected) onConnect();
  else draw();
})();
