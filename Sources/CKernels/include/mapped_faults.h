#ifndef LOUPE_MAPPED_FAULTS_H
#define LOUPE_MAPPED_FAULTS_H

#include <stddef.h>

// A SIGBUS handler for file mappings whose file shrinks under them (truncated by another process while
// a forward pass reads it). A fault inside a registered mapping maps zero-filled anonymous pages over
// the faulting page, marks the mapping as faulted, and returns, so the read goes on and sees zeros; the
// reader checks `loupe_mapping_faulted` afterwards and reports the file instead of using those numbers.
// A SIGBUS anywhere else goes to the handler that was installed before (or the default action: exit).

/// Registers [base, base + length) and installs the handler on first use. Returns a slot (>= 0) for the
/// calls below, or -1 when the table is full (the mapping is then unprotected, as before).
int loupe_mapping_register(const void *base, size_t length);
/// Forgets a slot (before the mapping is unmapped).
void loupe_mapping_unregister(int slot);
/// How many faults were patched in the slot's mapping since it was registered (0: all reads were real).
long loupe_mapping_faults(int slot);
/// Faults patched in all mappings since the process started.
long loupe_mapping_total_faults(void);

#endif
