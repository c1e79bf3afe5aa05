// A large system map keeps its size inside a scrolling frame: open it at its middle, where
// the busiest services are, rather than at an empty corner. Without this file the frame
// simply opens at its top left.
(function () {
  "use strict";

  document.querySelectorAll(".system-map-scroll.is-large").forEach(function (frame) {
    frame.scrollLeft = (frame.scrollWidth - frame.clientWidth) / 2;
    frame.scrollTop = (frame.scrollHeight - frame.clientHeight) / 2;
  });
})();
