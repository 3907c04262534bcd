// Placeholder: replaced by the EventLog layer.
