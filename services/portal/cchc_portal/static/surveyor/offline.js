// The surveyor's pages on a phone at the visit site: the service worker keeps the pages once
// opened; the evaluation sheet is saved as a draft on the device while it is typed; a sheet
// sent is put in a queue on the device and sent when the network is there, under the key made
// on the device when the form opened, so a sheet sent twice is recorded once. Drafts and
// queued sheets are the signed-in member's own: on a phone shared by a team, another member
// neither sees them nor sends them under their own name; they wait for their author.
(function () {
  "use strict";
  var sync = document.getElementById("sync");
  var MEMBER = (sync && sync.getAttribute("data-member")) || "";
  var QUEUE = "cchc-surveyor-queue:" + MEMBER;
  var DRAFT = "cchc-surveyor-draft:" + MEMBER + ":";
  var sending = false;

  function read(key, fallback) {
    try {
      var value = window.localStorage.getItem(key);
      return value ? JSON.parse(value) : fallback;
    } catch (e) {
      return fallback;
    }
  }
  function write(key, value) {
    window.localStorage.setItem(key, JSON.stringify(value));
  }
  function queue() {
    return read(QUEUE, []);
  }
  function newKey() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
  }
  function csrfToken() {
    // The signed-in session's token, from this page (a re-sign-in gives a new one).
    var field = document.querySelector("input[name=csrf_token]");
    return field ? field.value : "";
  }

  // ---- the queue's state, on every surveyor page ----------------------------------------
  function showQueue(message) {
    var panel = document.getElementById("sync");
    if (!panel) return;
    var items = queue();
    var list = document.getElementById("sync-items");
    var network = document.getElementById("sync-network");
    var state = document.getElementById("sync-state");
    var retry = document.getElementById("sync-now");
    panel.hidden = items.length === 0 && navigator.onLine && !message;
    network.textContent = navigator.onLine
      ? "Thiết bị đang có kết nối mạng."
      : "Thiết bị đang mất kết nối mạng: các trang đã mở vẫn dùng được, phiếu gửi sẽ chờ đến khi có mạng.";
    var refused = items.filter(function (i) { return i.state === "refused"; }).length;
    var waiting = items.length - refused;
    var text = message || "";
    if (!text) {
      if (waiting) text = waiting + " phiếu đang chờ gửi" + (navigator.onLine ? "; đang gửi…" : "; sẽ tự gửi khi có mạng.");
      else if (refused) text = refused + " phiếu chưa được ghi nhận: hãy mở lại phiếu để sửa.";
      else text = "Không có phiếu nào chờ gửi.";
    }
    state.textContent = text;
    panel.setAttribute("data-state", refused ? "refused" : waiting ? "waiting" : "idle");
    list.textContent = "";
    items.forEach(function (item) {
      var li = document.createElement("li");
      var link = document.createElement("a");
      link.href = "/surveyor/visits/" + item.visit;
      link.textContent = item.title;
      li.appendChild(link);
      li.appendChild(document.createTextNode(
        item.state === "refused" ? " — chưa được ghi nhận: " + item.reason : " — chờ gửi"
      ));
      list.appendChild(li);
    });
    retry.hidden = !(waiting && navigator.onLine);
  }

  function setItem(key, change) {
    var items = queue().map(function (i) { return i.key === key ? Object.assign(i, change) : i; });
    write(QUEUE, items);
  }
  function dropItem(key) {
    write(QUEUE, queue().filter(function (i) { return i.key !== key; }));
  }

  // Send each waiting sheet once at a time; a sheet stays queued until the portal answers.
  function flush() {
    if (sending || !navigator.onLine) return showQueue();
    var next = queue().filter(function (i) { return i.state !== "refused"; })[0];
    if (!next) return showQueue();
    sending = true;
    showQueue();
    var body = new URLSearchParams(next.fields);
    body.set("csrf_token", csrfToken());
    body.set("idempotency_key", next.key);
    fetch("/surveyor/visits/" + next.visit + "/evaluation", {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { Accept: "application/json" },
      redirect: "error",
    }).then(function (response) {
      var json = (response.headers.get("content-type") || "").indexOf("application/json") === 0;
      if (!json) {
        // Signed out, the form token expired, or a service down: it stays queued.
        sending = false;
        var why = response.status === 503
          ? "Hệ thống đang gián đoạn; phiếu vẫn chờ gửi và sẽ được gửi lại."
          : "Phiên làm việc đã hết hạn: hãy đăng nhập lại, phiếu vẫn chờ gửi trên thiết bị.";
        showQueue(why);
        return null;
      }
      return response.json().then(function (answer) {
        sending = false;
        if (answer.status === "recorded") {
          dropItem(next.key);
          window.localStorage.removeItem(DRAFT + next.visit);
          var form = document.getElementById("evaluation-form");
          if (form && form.getAttribute("data-visit") === next.visit) {
            window.location.assign(answer.next);
            return;
          }
        } else {
          var reasons = Object.keys(answer.errors || {}).map(function (k) { return answer.errors[k]; });
          setItem(next.key, { state: "refused", reason: reasons.join("; ") });
          var open = document.getElementById("evaluation-form");
          if (open && open.getAttribute("data-visit") === next.visit) {
            // The server's page shows each reason beside its field, with the sheet filled in.
            dropItem(next.key);
            open.setAttribute("data-native", "yes");
            open.submit();
            return;
          }
        }
        flush();
      });
    }).catch(function () {
      // No network (or it dropped while sending): the sheet stays queued.
      sending = false;
      showQueue();
    });
  }

  // ---- the evaluation sheet -----------------------------------------------------------
  function sheet(form) {
    var fields = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "csrf_token" || el.name === "idempotency_key") return;
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) return;
      if (el.tagName === "OUTPUT" || el.type === "submit") return;
      fields[el.name] = el.value;
    });
    return fields;
  }
  function fill(form, fields) {
    Object.keys(fields).forEach(function (name) {
      var els = form.querySelectorAll("[name='" + name.replace(/'/g, "") + "']");
      Array.prototype.forEach.call(els, function (el) {
        if (el.type === "radio") el.checked = el.value === fields[name];
        else el.value = fields[name];
      });
    });
  }
  function total(form) {
    var sum = 0;
    Array.prototype.forEach.call(form.querySelectorAll("input.score"), function (el) {
      var value = parseFloat(el.value.replace(",", "."));
      if (!isNaN(value)) sum += value;
    });
    var out = document.getElementById("total");
    if (out) out.textContent = String(Math.round(sum * 100) / 100).replace(".", ",");
  }
  function time(date) {
    return ("0" + date.getHours()).slice(-2) + ":" + ("0" + date.getMinutes()).slice(-2);
  }

  function setUpForm(form) {
    var visit = form.getAttribute("data-visit");
    var keyField = form.querySelector("input[name=idempotency_key]");
    var draft = read(DRAFT + visit, null);
    var queued = queue().filter(function (i) { return i.visit === visit; })[0];
    if (queued) {
      draft = { key: queued.key, fields: queued.fields };
    }
    if (!draft) {
      // The key of this sheet, made on the device when the form opens.
      draft = { key: newKey(), fields: {} };
    } else if (form.getAttribute("data-typed") !== "yes") {
      fill(form, draft.fields);
    }
    if (form.getAttribute("data-typed") === "yes") {
      draft.fields = sheet(form); // the server's page with its errors is what was typed
      draft.key = keyField.value || draft.key;
    }
    keyField.value = draft.key;
    var state = document.getElementById("draft-state");
    function save() {
      draft.fields = sheet(form);
      draft.saved = new Date().toISOString();
      write(DRAFT + visit, draft);
      total(form);
      if (state) state.textContent = "Bản nháp đã lưu trên thiết bị lúc " + time(new Date()) + ".";
    }
    form.addEventListener("input", save);
    form.addEventListener("change", save);
    total(form);
    if (draft.saved && state) state.textContent = "Đã mở lại bản nháp lưu lúc " + time(new Date(draft.saved)) + ".";
    form.addEventListener("submit", function (event) {
      if (form.getAttribute("data-native") === "yes") return;
      event.preventDefault();
      save();
      // One entry per key: a second tap sends nothing more.
      var items = queue().filter(function (i) { return i.key !== draft.key; });
      items.push({
        key: draft.key,
        visit: visit,
        title: form.getAttribute("data-title") || "Phiếu đánh giá",
        fields: draft.fields,
        queued: new Date().toISOString(),
        state: "waiting",
      });
      write(QUEUE, items);
      flush();
    });
  }

  // Signing out with sheets not yet sent: say so, and let the person stay to send them.
  function guardSignOut() {
    var signOut = document.querySelector("form[action='/sign-out']");
    if (!signOut) return;
    signOut.addEventListener("submit", function (event) {
      var waiting = queue().length;
      if (!waiting) return;
      var message = "Còn " + waiting + " phiếu đánh giá chưa gửi được. Phiếu được giữ trên " +
        "thiết bị này và chỉ được gửi khi chính anh/chị đăng nhập lại. Vẫn đăng xuất?";
      if (!window.confirm(message)) event.preventDefault();
    });
  }

  function start() {
    var form = document.getElementById("evaluation-form");
    if (form) setUpForm(form);
    guardSignOut();
    window.addEventListener("online", flush);
    // A network can be there without the browser saying so (a weak signal on site): try again.
    window.setInterval(flush, 15000);
    window.addEventListener("offline", function () { showQueue(); });
    document.getElementById("sync-now") &&
      document.getElementById("sync-now").addEventListener("click", flush);
    flush();
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.register("/surveyor/service-worker.js", { scope: "/surveyor" })
        .then(function () { return navigator.serviceWorker.ready; })
        .then(function (registration) {
          // Keep this page and the sheets it links to, for the visit site without a network.
          if (!navigator.onLine || !registration.active) return;
          var urls = [window.location.pathname];
          Array.prototype.forEach.call(
            document.querySelectorAll("a[href^='/surveyor/visits/']"),
            function (a) { urls.push(a.getAttribute("href")); }
          );
          registration.active.postMessage({ type: "keep", urls: urls });
        })
        .catch(function () { /* the pages still work online without it */ });
    }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
