// Placeholder: replaced by the StorefrontCore layer.
