"""Features from the three signals, one row per customer, joined into one matrix.

- touchpoints -> ``behaviour__*``: how a customer moves through the journey;
- survey + instrument -> ``psychographic__*``: what they need and desire;
- emotion readings -> ``emotion__*``: how they feel, at which moment.

Each modality is a plain function on DataFrames; :class:`FeatureBuilder` joins
them into a scaled, weighted matrix for modelling.
"""

__all__: list[str] = []
