// Placeholder: replaced by the Storefront layer.
