// The SIGBUS handler for file mappings: see include/mapped_faults.h. Everything the handler touches is
// a lock-free atomic table; mmap and sigaction are async-signal-safe.
#define _GNU_SOURCE
#include "mapped_faults.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define SLOTS 4096

static _Atomic uintptr_t slot_start[SLOTS];
static _Atomic size_t slot_length[SLOTS];
static _Atomic long slot_faults[SLOTS];
static _Atomic long total_faults;
static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t install_once = PTHREAD_ONCE_INIT;
static struct sigaction previous;

static void pass_on(int sig, siginfo_t *info, void *context) {
    if ((previous.sa_flags & SA_SIGINFO) && previous.sa_sigaction) {
        previous.sa_sigaction(sig, info, context);
    } else if (previous.sa_handler != SIG_DFL && previous.sa_handler != SIG_IGN) {
        previous.sa_handler(sig);
    } else {
        // back to the default action: returning re-runs the faulting access, which now ends the process
        struct sigaction dfl;
        memset(&dfl, 0, sizeof dfl);
        dfl.sa_handler = SIG_DFL;
        sigemptyset(&dfl.sa_mask);
        sigaction(SIGBUS, &dfl, NULL);
    }
}

static void on_sigbus(int sig, siginfo_t *info, void *context) {
    uintptr_t address = (uintptr_t)info->si_addr;
    for (int i = 0; i < SLOTS; i++) {
        uintptr_t start = atomic_load_explicit(&slot_start[i], memory_order_acquire);
        size_t length = atomic_load_explicit(&slot_length[i], memory_order_acquire);
        if (start == 0 || address < start || address - start >= length) continue;
        uintptr_t page_size = (uintptr_t)sysconf(_SC_PAGESIZE);
        void *page = (void *)(address & ~(page_size - 1));
        void *zeros = mmap(page, page_size, PROT_READ, MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (zeros == MAP_FAILED) break;
        atomic_fetch_add(&slot_faults[i], 1);
        atomic_fetch_add(&total_faults, 1);
        return;  // the access runs again and reads zeros
    }
    pass_on(sig, info, context);
}

static void install(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = on_sigbus;
    action.sa_flags = SA_SIGINFO;
    sigemptyset(&action.sa_mask);
    sigaction(SIGBUS, &action, &previous);
}

int loupe_mapping_register(const void *base, size_t length) {
    if (!base || length == 0) return -1;
    pthread_once(&install_once, install);
    pthread_mutex_lock(&table_lock);
    int found = -1;
    for (int i = 0; i < SLOTS; i++) {
        if (atomic_load(&slot_start[i]) == 0) { found = i; break; }
    }
    if (found >= 0) {
        atomic_store(&slot_faults[found], 0);
        atomic_store(&slot_length[found], length);
        atomic_store_explicit(&slot_start[found], (uintptr_t)base, memory_order_release);
    }
    pthread_mutex_unlock(&table_lock);
    return found;
}

void loupe_mapping_unregister(int slot) {
    if (slot < 0 || slot >= SLOTS) return;
    pthread_mutex_lock(&table_lock);
    atomic_store_explicit(&slot_start[slot], 0, memory_order_release);
    atomic_store(&slot_length[slot], 0);
    pthread_mutex_unlock(&table_lock);
}

long loupe_mapping_faults(int slot) {
    if (slot < 0 || slot >= SLOTS) return 0;
    return atomic_load(&slot_faults[slot]);
}

long loupe_mapping_total_faults(void) { return atomic_load(&total_faults); }
