# The surveys app's pages arrive with its own issue; the namespace is reserved now
# so that links and reverse() calls are stable from the start.
app_name = "surveys"
urlpatterns: list = []
