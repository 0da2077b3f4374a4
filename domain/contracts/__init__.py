"""E-contracts (电子签名法 §13-14): versioned templates, the PDF of each booking, SMS-confirmed signing with an
evidence record per signature, and the platform's PAdES seal that makes any later change detectable."""
