"""Local runs: the real handlers on moto, driven the way Lambda's event sources drive them."""
