from .demo import demo_root  # noqa: F401  (fixture)
