"""The demonstration program `load_demo` builds: invented task-force details, published
and estimated appropriations, awards, spending, budget changes and filed reports, all
posted through the same services people use. Nothing in the product imports it."""
