"""Test helpers: real servers, fault-injecting proxies, generated packs."""
