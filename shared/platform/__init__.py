"""The action contract: trigger parsing, web requests, config, logging, batches, idempotency.

Import submodules directly (`from shared.platform.action import action`): this package
imports nothing itself, so each action's cold start pays only for what it uses.
"""
