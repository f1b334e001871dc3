{
    "name": "Smart Dunning - Sales",
    "summary": "Credit hold on quotations: warn the salesperson about a customer at formal "
    "notice or beyond, and block confirmation when the dunning policy says so",
    "version": "19.0.1.0.0",
    "category": "Sales/Sales",
    "website": "https://github.com/smart-dunning/smart_dunning",
    "author": "smart_dunning contributors",
    "maintainers": ["smart-dunning"],
    "license": "AGPL-3",
    "development_status": "Alpha",
    "depends": ["sale", "smart_dunning"],
    "data": [
        "views/sale_order_views.xml",
    ],
    "auto_install": True,
    "installable": True,
}
