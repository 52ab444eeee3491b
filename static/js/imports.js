// Import pages: the upload's progress, a file over the limit refused before it is sent, and the
// confirmation's busy state. Without JavaScript the forms post as usual.
(function () {
  "use strict";
  var form = document.querySelector("[data-upload-form]");
  if (form && window.XMLHttpRequest && window.FormData) {
    var input = form.querySelector("input[type=file]");
    var bar = form.querySelector("[data-upload-progress]");
    var status = form.querySelector("[data-upload-status]");
    form.addEventListener("submit", function (event) {
      var file = input && input.files && input.files[0];
      if (!file) return;
      var max = parseInt(input.getAttribute("data-max-bytes"), 10);
      event.preventDefault();
      if (max && file.size > max) {
        status.textContent = form.getAttribute("data-too-large");
        status.className = "small text-danger fw-semibold";
        return;
      }
      var button = form.querySelector("button[type=submit]");
      button.disabled = true;
      bar.classList.remove("d-none");
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action || window.location.href);
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) bar.firstElementChild.style.width = Math.round((100 * e.loaded) / e.total) + "%";
      });
      xhr.upload.addEventListener("load", function () {
        bar.firstElementChild.style.width = "100%";
        status.textContent = status.getAttribute("data-reading");
        status.className = "small";
      });
      xhr.addEventListener("load", function () {
        // The answer is the preview (after the redirect) or the form with its errors: shown as it
        // came, without asking the server to read the file a second time.
        var url = xhr.responseURL;
        document.open();
        document.write(xhr.responseText);
        document.close();
        if (url && url !== window.location.href) window.history.replaceState(null, "", url);
      });
      xhr.addEventListener("error", function () { form.submit(); });
      xhr.send(new FormData(form));
    });
  }
  var confirmForm = document.querySelector("[data-confirm-form]");
  if (confirmForm) {
    confirmForm.addEventListener("submit", function (event) {
      var busy = confirmForm.querySelector("[data-busy]");
      if (busy) busy.classList.remove("d-none");
      var buttons = confirmForm.querySelectorAll("button");
      // Disabled after this tick, so that the clicked button's name and value are still sent.
      window.setTimeout(function () { buttons.forEach(function (b) { b.disabled = true; }); }, 0);
    });
  }
})();
