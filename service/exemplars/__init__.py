"""What good looks like: a bank of strong passages written by the project, per dimension and
topic, searched by the model's own passage embedding (``bank``), referenced from weaknesses
(``refs``) and browsed at ``GET /exemplars``.
"""
