enum _PlaceholderSikoServer {}
