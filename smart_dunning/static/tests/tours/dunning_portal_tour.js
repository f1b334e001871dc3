import { registry } from "@web/core/registry";

// A customer answers from its page (tests/test_portal.py): disputes the first invoice, agrees
// a plan within the policy's limits for the second and asks one beyond them for the third.
// The same steps run through a letter's link (no account) and as a portal user from /my.
function inDays(days) {
    return new Date(Date.now() + days * 86400000).toISOString().slice(0, 10);
}

function planSteps(index, count, outcome) {
    return [
        {
            content: `Pick invoice ${index + 1} for a plan`,
            trigger: `.o_dunning_plan_form input[name=move_ids]:eq(${index})`,
            run: "check",
        },
        {
            content: `${count} instalments`,
            trigger: ".o_dunning_plan_form input[name=count]",
            run: `edit ${count}`,
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
            content: `The schedule shows ${count} instalments`,
            trigger: `.o_dunning_schedule tbody tr:count(${count})`,
        },
        {
            content:
                outcome === "accepted"
                    ? "The schedule says the plan is within the conditions"
                    : "The schedule says a colleague reviews the plan",
            trigger: `.o_dunning_schedule .o_dunning_schedule_${outcome}`,
        },
        {
            content: "Confirm the schedule shown",
            trigger: ".o_dunning_schedule .o_dunning_plan_confirm",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content:
                outcome === "accepted"
                    ? "The plan is accepted"
                    : "The page says the plan was sent for approval",
            trigger:
                outcome === "accepted"
                    ? ".o_dunning_message:contains(Your payment plan is accepted)"
                    : ".o_dunning_message:contains(a colleague will review it)",
        },
    ];
}

function answerSteps() {
    return [
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
        ...planSteps(1, 3, "accepted"),
        ...planSteps(2, 12, "review"),
    ];
}

registry.category("web_tour.tours").add("smart_dunning_portal_answers", {
    steps: () => answerSteps(),
});

registry.category("web_tour.tours").add("smart_dunning_portal_user_answers", {
    steps: () => [
        {
            content: "The portal home offers the open invoices and reminders",
            trigger: ".o_portal_index_card a[href='/my/dunning']",
            run: "click",
            expectUnloadPage: true,
        },
        ...answerSteps(),
    ],
});

// On a phone (375 px wide) the page does not scroll sideways: the invoice table scrolls or
// fits inside its .table-responsive box.
registry.category("web_tour.tours").add("smart_dunning_portal_phone", {
    steps: () => [
        {
            content: "The invoice table sits in a responsive box",
            trigger: ".table-responsive > .o_dunning_invoices",
        },
        {
            content: "Nothing sticks out of the phone's screen",
            trigger: ".o_dunning_plan_form",
            run() {
                const width = document.documentElement.clientWidth;
                if (width > 400) {
                    throw new Error(`not a phone: the page is ${width} px wide`);
                }
                const overflow = document.documentElement.scrollWidth - width;
                if (overflow > 0) {
                    throw new Error(`the page is ${overflow} px wider than the screen`);
                }
            },
        },
    ],
});
