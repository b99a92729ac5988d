"""Partner accreditation: the public application, the referent's audit, the commission, the partner list."""
