"""The SpiffWorkflow adapter: the only package that imports SpiffWorkflow.

It hands plain frozen dataclasses (engine/spiff/runner.py) to the rest of the engine.
"""
