"""Root conftest: its folder goes on sys.path, so ``cohort_csv`` imports everywhere."""
