"""The document model: pointers, spans, documents, pod-spec views."""
