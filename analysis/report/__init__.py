"""Tables, figures and sentences drawn from the ARD."""
