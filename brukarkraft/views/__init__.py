# The shared app's views are split by area (pages, accounts, dashboards, feedback,
# health) because together they would make one long file with unrelated concerns.
