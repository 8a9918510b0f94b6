// Signed out: the surveyor's pages kept on this device for work without a network (the
// visits, the initiatives, the sheets) are removed, so that the next person on the device
// cannot open them. Sheets still waiting to be sent stay: they are their author's, kept under
// the member's name, and sent when that member signs in again (offline.js).
(function () {
  "use strict";
  var state = document.getElementById("device-state");
  if (!("caches" in window)) return;
  window.caches.keys().then(function (names) {
    var kept = names.filter(function (n) { return n.indexOf("cchc-surveyor") === 0; });
    return Promise.all(kept.map(function (n) { return window.caches.delete(n); }))
      .then(function () { return kept.length; });
  }).then(function (removed) {
    document.documentElement.setAttribute("data-device-cleared", "yes");
    if (removed && state) state.textContent = "Đã xoá các trang khảo sát lưu trên thiết bị này.";
  }).catch(function () { /* nothing kept, or storage refused: nothing to remove */ });
})();
