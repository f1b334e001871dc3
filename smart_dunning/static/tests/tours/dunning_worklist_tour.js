import { registry } from "@web/core/registry";

// A collector opens the call worklist, logs a call with a promise to pay, and sees the
// customer's invoice leave the worklist (tests/test_tour.py sets up the data).
registry.category("web_tour.tours").add("smart_dunning_worklist_promise", {
    steps: () => [
        {
            content: "Open the apps menu",
            trigger: ".o_navbar_apps_menu button",
            run: "click",
        },
        {
            content: "Open the Collections app",
            trigger: '.o_app[data-menu-xmlid="smart_dunning.menu_collections_root"]',
            run: "click",
        },
        {
            content: "Open the Collections menu",
            trigger: '.o_menu_sections button[data-menu-xmlid="smart_dunning.menu_collections_work"]',
            run: "click",
        },
        {
            content: "Open the call worklist",
            trigger: '.o-dropdown--menu [data-menu-xmlid="smart_dunning.menu_call_worklist"]',
            run: "click",
        },
        {
            content: "The most urgent customer comes first",
            trigger: ".o_list_view .o_data_row:first-child:contains(Tour Brewery)",
        },
        {
            content: "The other customer is on the list too",
            trigger: ".o_list_view .o_data_row:contains(Tour Bakery)",
        },
        {
            content: "Log a call with the brewery",
            trigger: ".o_data_row:contains(Tour Brewery) button[name=action_log_call]",
            run: "click",
        },
        {
            content: "The dialog is about the brewery's invoice",
            trigger: ".modal .o_field_widget[name=partner_id]:contains(Tour Brewery)",
        },
        {
            content: "The customer promises to pay",
            trigger: ".modal .o_field_widget[name=outcome] input[data-value=promise]",
            run: "click",
        },
        {
            content: "The promised date is asked: open its date picker",
            trigger: ".modal .o_field_widget[name=promise_date] button",
            run: "click",
        },
        {
            content: "The customer pays on the last day of 2099",
            trigger: ".modal .o_field_widget[name=promise_date] input",
            run: "edit 12/31/2099",
        },
        {
            content: "Why the customer has not paid yet",
            trigger: ".modal .o_field_widget[name=call_reason_id] input",
            run: "edit Cash",
        },
        {
            content: "Choose the reason from the list",
            trigger: ".o-autocomplete--dropdown-item .dropdown-item:contains(Cash-flow problems)",
            run: "click",
        },
        {
            content: "Note what was said",
            trigger: ".modal .o_field_widget[name=note] textarea",
            run: "edit The accountant pays before the end of the year",
        },
        {
            content: "The promised date is kept",
            trigger: ".modal .o_field_widget[name=promise_date] :contains(2099)",
        },
        {
            content: "Log the call",
            trigger: ".modal button[name=action_confirm]",
            run: "click",
        },
        {
            content: "The brewery has left the worklist, the bakery is still on it",
            trigger:
                "body:not(:has(.modal)) .o_list_view:not(:has(.o_data_row:contains(Tour Brewery))) .o_data_row:contains(Tour Bakery)",
        },
    ],
});
