enum _PlaceholderSikoChannels {}
