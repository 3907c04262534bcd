// Placeholder: replaced by the EventHTTP layer.
