"""Agency feeds: downloading, parsing and importing them as articles."""
