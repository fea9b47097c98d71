"""PDF appraisal sheets (考核表): one rendering function, the sheet itself, bulk downloads."""
