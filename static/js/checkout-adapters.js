/* Browser payment adapters: the only code that differs between Stripe and localstripe.
 *
 * Each adapter has mount(ctx, container) -> handle and pay(ctx, handle) -> Promise of
 * {error: message, action} or {redirect: url}, where action (from the server's error
 * answer) says what the shopper can do next: "retry" (the default), "reload" the page,
 * look at the "order" page, or "stop". The server chooses the adapter:
 *  - "payment-element": Stripe's Payment Element and confirmPayment (real keys);
 *    Stripe.js handles 3-D Secure and returns to the order page.
 *  - "card-element": localstripe's fake Stripe.js, which has no Payment Element. A
 *    SetupIntent turns the card into a payment method, the server confirms the order's
 *    PaymentIntent with it, and confirmCardPayment runs 3-D Secure when asked.
 */
window.AtelierPaymentAdapters = {
  "payment-element": {
    mount(ctx, container) {
      const elements = ctx.stripe.elements({ clientSecret: ctx.config.clientSecret });
      elements.create("payment").mount(container);
      return elements;
    },
    async pay(ctx, elements) {
      const { error } = await ctx.stripe.confirmPayment({
        elements,
        confirmParams: { return_url: ctx.config.orderUrl },
      });
      // Without an error Stripe.js has already left for return_url.
      return { error: (error && error.message) || "The payment did not go through." };
    },
  },

  "card-element": {
    mount(ctx, container) {
      const card = ctx.stripe.elements().create("card");
      card.mount(container);
      return card;
    },
    async pay(ctx, card) {
      const setup = await ctx.post(ctx.config.setupUrl, {});
      if (setup.error) return { error: setup.error.message, action: setup.error.action };
      const tokenised = await ctx.stripe.confirmCardSetup(setup.client_secret, {
        payment_method: { card },
      });
      if (tokenised.error) {
        return { error: tokenised.error.message || "Your card could not be used." };
      }
      const answer = await ctx.post(ctx.config.confirmUrl, {
        payment_method: tokenised.setupIntent.payment_method,
      });
      if (answer.error) return { error: answer.error.message, action: answer.error.action };
      if (answer.status === "requires_action") {
        // Whatever the bank answers, the order page reports it as the server sees it.
        await ctx.stripe.confirmCardPayment(answer.client_secret);
      } else if (answer.status === "failed" || answer.action) {
        return {
          error: answer.message || "The payment did not go through.",
          action: answer.action,
        };
      }
      return { redirect: answer.order_url };
    },
  },
};
