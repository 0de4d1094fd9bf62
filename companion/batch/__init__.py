"""Batch import of a team's archive on a Ray cluster: workers compute, the driver alone stores, in date order.

``plan`` and ``metrics`` need no Ray; ``driver`` and ``worker`` import it (the ``cluster`` extra).
"""
