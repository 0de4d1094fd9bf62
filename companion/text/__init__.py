"""All language handling: sentences, dates, people, word stems and the learned utterance detector.

Imports nothing from ``kg``, ``audio``, ``llm`` or ``ui`` (an import-linter contract checks it), so the
minutes, the graph and the answers share one reading of what was said.
"""
