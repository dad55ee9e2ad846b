"""uniondash: the union work dashboard's shared package (data access, demo data, i18n, charts)."""

__version__ = "0.1.0"
