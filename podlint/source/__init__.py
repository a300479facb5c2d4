"""Sources: files, stdin and AdmissionReview objects -> Documents."""
