"""Scheduled briefings: subscriptions in briefings.toml, each recipient's own scope, e-mail, chat robots and folders."""
