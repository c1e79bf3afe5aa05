"""The demo's Storefront: its services, the interactions between them and how each one talks.

The shop's checkout path runs from the gateway through Checkout, Orders and Inventory down
to the warehouse system, one synchronous call after another; order events, pick lists,
stock levels and analytics travel through the broker. Each interaction starts with the
answers of a scenario file in fixtures/demo/, named by its last field.

Interactions are only ever added at the end: the decision log and the exports refer to
them by title, and a demo database loaded before an addition gains it on the next load.
"""

from __future__ import annotations

from advisor.models import Style

DEMO_SYSTEM = ("Storefront", "The shop's checkout path and what hangs off it.")

# Service name -> what it is, for the people reading the system's page and map.
DEMO_SERVICES = {
    "Accounts": "Shoppers' accounts, sign-up and log-in.",
    "Analytics": "Sales, conversion and funnel reports for merchandising and finance.",
    "Catalogue": "Product pages and their cache.",
    "Checkout": "The web checkout: basket, delivery step and payment page.",
    "E-mail": "Sends the shop's transactional e-mails through the mail provider.",
    "Fraud": "The Risk team's fraud scorer.",
    "Gateway": "The API gateway in front of the web shop: routing, authentication, rate limits.",
    "Inventory": "Stock levels, holds and allocations for every product.",
    "Ledger": "Finance's ledger of settled payments.",
    "Mobile API": "The backend of the shop's mobile app.",
    "Orders": "Creates orders and follows them from payment to delivery.",
    "Payments": "Authorises and captures payments with the payment provider.",
    "Pricing": "Prices, promotions and repricing.",
    "Search": "Product search and its index.",
    "Shipping": "Books parcels and prints labels with the carriers.",
    "Shipping Quotes": "The carrier's delivery quote API, run by the carrier outside our control.",
    "Support Dashboard": "What customer support agents use to find and fix orders.",
    "Warehouse": "The warehouse management system: shelves, picking, packing and goods-in.",
}

# (name, caller, receiver, description, the demo scenario whose answers it starts with)
DEMO_INTERACTIONS = [
    ("Reserve the last item", "Checkout", "Inventory",
     "Two shoppers must never both get the last unit.", "reserve-last-item"),
    ("Score fraud risk", "Payments", "Fraud",
     "Payments needs a risk score before it authorises.", "fraud-scoring"),
    ("Send the welcome e-mail", "Accounts", "E-mail",
     "After sign-up, greet the new customer.", "signup-welcome-email"),
    ("Place an order from the app", "Mobile API", "Orders",
     "The app's Buy button: the shopper waits for an order number.", "place-order-mobile"),
    ("Show order status on the dashboard", "Support Dashboard", "Orders",
     "Support agents and the app's tracking screen look up where an order is.",
     "order-status-dashboard"),
    ("Publish stock levels to search", "Inventory", "Search",
     "Sold-out products must leave the search results quickly.", "stock-levels-to-search"),
    ("Capture the payment", "Orders", "Payments",
     "When the parcel ships, take the money authorised at checkout.", "payment-capture"),
    ("Create the shipping label", "Orders", "Shipping",
     "The packer waits at the station for the carrier's label.", "shipping-label"),
    ("Fan out price changes to caches", "Pricing", "Catalogue",
     "Product pages, search and the app's edge cache must drop an old price.",
     "price-changes-to-caches"),
    ("Export the ledger nightly", "Payments", "Ledger",
     "The day's settled payments go to the finance ledger every night.",
     "nightly-ledger-export"),
    ("Route checkout requests", "Gateway", "Checkout",
     "The web shop's checkout pages pass through the gateway, which waits for Checkout's answer.",
     "route-checkout-requests"),
    ("Create the order at checkout", "Checkout", "Orders",
     "The web checkout's Pay button: Orders creates the order while the shopper waits.",
     "create-order-at-checkout"),
    ("Allocate stock to the order", "Orders", "Inventory",
     "A new order turns Checkout's hold on the stock into an allocation.", "allocate-stock"),
    ("Check the shelf before allocating", "Inventory", "Warehouse",
     "For the last few units, Inventory asks the warehouse what is really on the shelf.",
     "shelf-check"),
    ("Send the order confirmation", "Orders", "E-mail",
     "The shopper gets an e-mail with the order number and what they bought.",
     "order-confirmation-email"),
    ("Stream order events to analytics", "Orders", "Analytics",
     "Sales and conversion reports are built from every order event.",
     "order-events-to-analytics"),
    ("Send the pick list to the warehouse", "Orders", "Warehouse",
     "Each paid order becomes a pick list at the warehouse.", "pick-list-to-warehouse"),
    ("Report goods received", "Warehouse", "Inventory",
     "Stock scanned in at goods-in becomes sellable.", "goods-received"),
    ("Quote delivery options", "Checkout", "Shipping Quotes",
     "The delivery step shows the carrier's options and prices.", "quote-delivery-options"),
    ("Confirm the carrier's rate for the label", "Shipping", "Shipping Quotes",
     "Before booking a label, Shipping checks what the carrier will bill.",
     "carrier-rate-for-label"),
    ("Collect page views for analytics", "Gateway", "Analytics",
     "Every page view and search feeds the conversion funnel.", "page-views-to-analytics"),
    ("Show availability on product pages", "Catalogue", "Inventory",
     "Every product page says whether the item is in stock.",
     "availability-on-product-pages"),
]  # fmt: skip

# How each interaction talks today, whatever its decisions say: the map draws an
# interaction without a current decision this way. The order status dashboard reads a
# read model that Orders' events feed, so it no longer calls Orders at all.
DEMO_STYLES = {
    "Reserve the last item": Style.SYNC,
    "Score fraud risk": Style.REQUEST_REPLY,
    "Send the welcome e-mail": Style.ASYNC,
    "Place an order from the app": Style.REQUEST_REPLY,
    "Show order status on the dashboard": Style.ASYNC,
    "Publish stock levels to search": Style.ASYNC,
    "Capture the payment": Style.ASYNC,
    "Create the shipping label": Style.REQUEST_REPLY,
    "Fan out price changes to caches": Style.ASYNC,
    "Export the ledger nightly": Style.ASYNC,
    "Route checkout requests": Style.SYNC,
    "Create the order at checkout": Style.SYNC,
    "Allocate stock to the order": Style.SYNC,
    "Check the shelf before allocating": Style.SYNC,
    "Send the order confirmation": Style.ASYNC,
    "Stream order events to analytics": Style.ASYNC,
    "Send the pick list to the warehouse": Style.ASYNC,
    # Goods-in still calls Inventory's API for every scan; the proposal on the log would
    # move it to events.
    "Report goods received": Style.SYNC,
    "Quote delivery options": Style.SYNC,
    "Confirm the carrier's rate for the label": Style.SYNC,
    "Collect page views for analytics": Style.ASYNC,
    "Show availability on product pages": Style.SYNC,
}
