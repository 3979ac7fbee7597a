"""The product catalog shared by the apps: products in the database, CSV/JSON import, a demo
catalog created on first run, and online shopping providers (Naver) behind one interface.

- `service.CatalogService`: find by product code (exact, then close), search, upsert, demo.
- `importer.import_file` / `import_bytes`: CSV and JSON import with per-row errors.
- `providers.create_provider(settings)`: the configured `ShoppingProvider`, or None.
- `lookup.lookup_product(code, catalog=..., provider=...)`: local first, then the provider.
"""
