/* The checkout form is sent once: after its first submit the Continue button is inert
   (a double click or a second Enter would send the form again) and says the order is
   being placed; a page the browser restores from its back/forward cache gets the button
   back. Without this script the server still makes one order of one form: the form's
   checkout key finds the order it made. */
(function () {
  "use strict";
  const form = document.querySelector("[data-checkout-form]");
  if (!form) return;
  const button = form.querySelector("[data-checkout-submit]");
  const status = form.querySelector("[data-checkout-status]");
  let sent = false;

  function showSent(isSent) {
    sent = isSent;
    if (isSent) {
      button.setAttribute("aria-disabled", "true");
    } else {
      button.removeAttribute("aria-disabled");
    }
    form.classList.toggle("is-sending", isSent);
    status.textContent = isSent ? "Placing your order…" : "";
  }

  form.addEventListener("submit", function (event) {
    if (sent) {
      event.preventDefault();
      return;
    }
    showSent(true);
  });

  window.addEventListener("pageshow", function (event) {
    if (event.persisted) showSent(false);
  });
})();
