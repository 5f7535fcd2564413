/* The payment form: mounts the configured adapter and reports what happened. */
(function () {
  "use strict";
  const form = document.getElementById("payment-form");
  if (!form) return;
  const button = document.getElementById("pay-button");
  const message = document.getElementById("payment-message");
  const config = form.dataset;
  const unreachable = "We could not reach the shop. Nothing was charged; please try again.";

  function show(text, isError) {
    message.textContent = text;
    message.classList.toggle("problem", Boolean(isError));
  }

  async function post(url, body) {
    let response;
    try {
      response = await fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/json",
          Accept: "application/json",
          "X-CSRFToken": config.csrfToken,
        },
        body: JSON.stringify(body),
      });
    } catch (networkError) {
      return { error: { message: unreachable } };
    }
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) {
      return { error: { message: (answer.error && answer.error.message) || unreachable } };
    }
    return answer;
  }

  const adapter = window.AtelierPaymentAdapters[config.adapter];
  const ctx = { stripe: window.Stripe(config.publishableKey), config, post };
  const handle = adapter.mount(ctx, document.getElementById("payment-element"));

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    button.disabled = true;
    show("Processing your payment…", false);
    let result;
    try {
      result = await adapter.pay(ctx, handle);
    } catch (error) {
      result = { error: unreachable };
    }
    if (result.redirect) {
      window.location.assign(result.redirect);
      return;
    }
    show(result.error + " You can try again.", true);
    button.disabled = false;
  });
})();
