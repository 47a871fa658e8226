/* A signature pad for the tablet consent form (consents/tablet_capture.html).
 *
 * Pointer events draw on the canvas (finger, stylus or mouse); after each
 * stroke the drawing is put, as a PNG file, in the form's file input, so
 * the form posts it like any upload and the server checks it
 * (consents.services.signature_validate). No inline script: loaded from
 * static/ under the strict CSP. Without JavaScript the file input stays
 * visible and a PNG can be attached instead.
 */
(function () {
  "use strict";

  function setUp(pad) {
    var canvas = pad.querySelector("canvas");
    var input = document.getElementById(pad.getAttribute("data-input"));
    var clear = pad.querySelector("[data-signature-clear]");
    if (!canvas || !input || !canvas.getContext || !window.DataTransfer) {
      return;
    }
    var context = canvas.getContext("2d");
    var drawing = false;
    var last = null;

    function size() {
      var ratio = window.devicePixelRatio || 1;
      var box = canvas.getBoundingClientRect();
      canvas.width = Math.round(box.width * ratio);
      canvas.height = Math.round(box.height * ratio);
      context.setTransform(ratio, 0, 0, ratio, 0, 0);
      context.lineWidth = 2.5;
      context.lineCap = "round";
      context.lineJoin = "round";
      paper();
    }

    // A white sheet under the ink: the evidence PNG reads the same in any
    // viewer (a transparent one shows dark on a dark background).
    function paper() {
      context.fillStyle = "#ffffff";
      context.fillRect(0, 0, canvas.width, canvas.height);
      context.strokeStyle = "#1a1a1a";
      context.fillStyle = "#1a1a1a";
    }

    function point(event) {
      var box = canvas.getBoundingClientRect();
      return { x: event.clientX - box.left, y: event.clientY - box.top };
    }

    function lineTo(next) {
      context.beginPath();
      context.moveTo(last.x, last.y);
      context.lineTo(next.x, next.y);
      context.stroke();
      last = next;
    }

    function keep() {
      canvas.toBlob(function (blob) {
        if (!blob) {
          return;
        }
        var files = new DataTransfer();
        files.items.add(new File([blob], "signature.png", { type: "image/png" }));
        input.files = files.files;
        pad.classList.add("is-signed");
      }, "image/png");
    }

    function reset() {
      context.clearRect(0, 0, canvas.width, canvas.height);
      paper();
      input.value = "";
      pad.classList.remove("is-signed");
    }

    canvas.addEventListener("pointerdown", function (event) {
      event.preventDefault();
      if (!canvas.width || !canvas.height) {
        size();
      }
      if (canvas.setPointerCapture) {
        canvas.setPointerCapture(event.pointerId);
      }
      drawing = true;
      last = point(event);
      context.beginPath();
      context.arc(last.x, last.y, 1.2, 0, 2 * Math.PI);
      context.fill();
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!drawing) {
        return;
      }
      event.preventDefault();
      var events = event.getCoalescedEvents ? event.getCoalescedEvents() : [];
      if (!events.length) {
        events = [event];
      }
      events.forEach(function (each) {
        lineTo(point(each));
      });
    });
    function end() {
      if (!drawing) {
        return;
      }
      drawing = false;
      keep();
    }
    canvas.addEventListener("pointerup", end);
    canvas.addEventListener("pointercancel", end);
    canvas.addEventListener("lostpointercapture", end);
    if (clear) {
      clear.addEventListener("click", reset);
    }
    // Shown first (the canvas is hidden until the pad is ready), then
    // sized: a hidden canvas measures 0 x 0 and could hold no drawing.
    pad.classList.add("is-ready");
    size();
  }

  function start() {
    var pads = document.querySelectorAll("[data-signature-pad]");
    Array.prototype.forEach.call(pads, setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
