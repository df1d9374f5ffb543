"""Demo data: Trà Vinh city, the February 2023 report and its 15 tasks for March 2023."""
