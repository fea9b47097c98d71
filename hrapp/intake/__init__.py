"""One intake for every upload: readers, limits, problems, batches and column mappings."""
