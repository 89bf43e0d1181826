enum _PlaceholderSikoStore {}
