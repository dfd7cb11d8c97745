"""Languages that exist only in the tests, to show that adding one takes one file."""
