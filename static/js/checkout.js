/* The payment form: mounts the configured adapter and reports what happened. */
(function () {
  "use strict";
  const form = document.getElementById("payment-form");
  if (!form) return;
  const button = document.getElementById("pay-button");
  const message = document.getElementById("payment-message");
  const config = form.dataset;
  const unreachable = "We could not reach the shop. Nothing was charged; please try again.";
  // A request that may have reached the shop and charged before the answer was lost.
  const unanswered =
    "We did not get an answer from the shop, so we cannot tell whether your payment went " +
    "through. Please check your order before paying again.";

  function show(text, isError) {
    message.replaceChildren(text);
    message.classList.toggle("problem", Boolean(isError));
  }

  function addControl(element) {
    message.append(" ", element);
  }

  // What the shopper can do after an error: the server's answer says which.
  function showError(text, action) {
    if (action === "reload") {
      show(text, true);
      const reload = document.createElement("button");
      reload.type = "button";
      reload.className = "button";
      reload.id = "reload-payment";
      reload.textContent = "Reload the page";
      reload.addEventListener("click", () => window.location.reload());
      addControl(reload);
    } else if (action === "order") {
      show(text, true);
      const link = document.createElement("a");
      link.href = config.orderUrl;
      link.id = "see-order";
      link.textContent = "See your order";
      addControl(link);
    } else if (action === "stop") {
      show(text, true);
    } else {
      show(withRetryHint(text), true);
      button.disabled = false;
    }
  }

  // Messages from the server and from Stripe.js may already say to try again, or may
  // lack a full stop: the hint is added once, after a finished sentence.
  function withRetryHint(text) {
    const sentence = String(text || "The payment did not go through.").trim();
    if (/\btry again\b/i.test(sentence)) return sentence;
    const finished = /[.!?…]$/.test(sentence) ? sentence : sentence + ".";
    return finished + " You can try again.";
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
      // The request may have been sent: only a payment step that charges is in doubt.
      if (url === config.confirmUrl) return { error: { message: unanswered, action: "order" } };
      return { error: { message: unreachable } };
    }
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) {
      const error = answer.error || {};
      // A stale page (its CSRF token no longer fits the session): only a reload helps.
      const action = error.code === "csrf_failed" ? "reload" : error.action;
      return { error: { message: error.message || unreachable, action } };
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
    showError(result.error, result.action);
  });
})();
