import { registry } from "@web/core/registry";

// A customer opens the page of its reminder (no account: the letter's link), disputes the
// first invoice and asks for a payment plan for the second (tests/test_portal_tour.py).
function inDays(days) {
    return new Date(Date.now() + days * 86400000).toISOString().slice(0, 10);
}

registry.category("web_tour.tours").add("smart_dunning_portal_answers", {
    steps: () => [
        {
            content: "The page shows the open invoices",
            trigger: ".o_dunning_invoices tbody tr .o_dunning_pay",
        },
        {
            content: "Pick the first invoice to dispute",
            trigger: ".o_dunning_dispute_form input[name=move_ids]:first",
            run: "check",
        },
        {
            content: "Choose a reason",
            trigger: ".o_dunning_dispute_form select[name=reason_id]",
            run: "selectByIndex 1",
        },
        {
            content: "Say what is wrong",
            trigger: ".o_dunning_dispute_form textarea[name=comment]",
            run: "edit The delivery never arrived",
        },
        {
            content: "Send the dispute",
            trigger: ".o_dunning_dispute_form button[type=submit]",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The dispute is confirmed",
            trigger: ".o_dunning_message",
        },
        {
            content: "The invoice shows as disputed",
            trigger: ".o_dunning_invoices .badge",
        },
        {
            content: "Pick the second invoice for a plan",
            trigger: ".o_dunning_plan_form input[name=move_ids]:not(:checked):last",
            run: "check",
        },
        {
            content: "Three instalments",
            trigger: ".o_dunning_plan_form input[name=count]",
            run: "edit 3",
        },
        {
            content: "First instalment in a week",
            trigger: ".o_dunning_plan_form input[name=date]",
            run() {
                this.anchor.value = inDays(7);
            },
        },
        {
            content: "See the schedule",
            trigger: ".o_dunning_plan_form button[type=submit]",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Confirm the schedule shown",
            trigger: ".o_dunning_schedule .o_dunning_plan_confirm",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The plan is accepted",
            trigger: ".o_dunning_message",
        },
    ],
});
