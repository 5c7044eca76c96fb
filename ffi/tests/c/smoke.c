/*
 * The whole job through the C ABI against a real CardDAV server: add a folder from
 * the bare server URL, sync, look up three forms of a number, search by name, edit
 * a cell, provoke a conflict, and look up offline once the server is gone.
 *
 * Usage: smoke CACHE_DIR BARE_URL USER PASSWORD
 * It prints "STOP-SERVER" when it wants the server stopped and reads a line from
 * stdin once it is; "SMOKE OK" at the end. Any failed check exits non-zero.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cti_phonebook.h"

static int failures = 0;

#define CHECK(cond, ...)                                                          \
    do {                                                                          \
        if (!(cond)) {                                                            \
            fprintf(stderr, "FAILED line %d: %s: ", __LINE__, #cond);             \
            fprintf(stderr, __VA_ARGS__);                                         \
            fprintf(stderr, " (last error %d: %s)\n", (int)cti_last_error_code(), \
                    cti_last_error_message());                                    \
            failures++;                                                           \
        }                                                                         \
    } while (0)

#define OK(call) CHECK((call) == CTI_OK, "%s", #call)

static const char *FOLDER = "Contacts";

struct counts {
    size_t changes;
    size_t progress;
    int64_t max_total;
};

static void on_change(void *data, const char *folder, size_t changed, size_t removed,
                      int32_t reloaded) {
    struct counts *c = data;
    (void)changed;
    (void)removed;
    (void)reloaded;
    if (strcmp(folder, FOLDER) == 0) c->changes++;
}

static void on_progress(void *data, const char *folder, size_t fetched, int64_t total) {
    struct counts *c = data;
    (void)fetched;
    if (strcmp(folder, FOLDER) == 0) {
        c->progress++;
        if (total > c->max_total) c->max_total = total;
    }
}

/* Looks up `number` and returns the number of matches naming `name`, or -1 when
 * the outcome is not CTI_CALLER_MATCHES. */
static int lookup_quietly(const CtiPhonebook *book, const char *number, const char *name,
                          int quiet) {
    int32_t outcome = -1;
    CtiMatches *matches = NULL;
    if (cti_phonebook_lookup_caller(book, number, &outcome, &matches) != CTI_OK) return -2;
    int found = 0;
    for (size_t i = 0; i < cti_matches_len(matches); i++) {
        CtiMatch m;
        if (cti_matches_get(matches, i, &m) != CTI_OK) continue;
        if (strcmp(m.display_name, name) == 0 && strcmp(m.folder, FOLDER) == 0 &&
            strcmp(m.company, "Analytical Engines") == 0 && m.id[0] != '\0' &&
            (m.quality == CTI_MATCH_EXACT || m.quality == CTI_MATCH_NATIONAL))
            found++;
        if (!quiet)
            printf("  %s -> %s (%s) in %s, column %s, quality %d\n", number, m.display_name,
                   m.company, m.folder, m.column, (int)m.quality);
    }
    cti_matches_free(matches);
    return outcome == CTI_CALLER_MATCHES ? found : -1;
}

static int lookup(const CtiPhonebook *book, const char *number, const char *name) {
    return lookup_quietly(book, number, name, 0);
}

static int32_t outcome_of(const CtiPhonebook *book, const char *number) {
    int32_t outcome = -1;
    CtiMatches *matches = NULL;
    if (cti_phonebook_lookup_caller(book, number, &outcome, &matches) != CTI_OK) return -2;
    CHECK(cti_matches_len(matches) == 0, "no matches for %s", number);
    cti_matches_free(matches);
    return outcome;
}

/* Lookups on a second thread while the main thread syncs: each must find Ada. */
static void *lookups(void *arg) {
    const CtiPhonebook *book = arg;
    long misses = 0;
    for (int i = 0; i < 200; i++)
        if (lookup_quietly(book, "+49 30 1234567", "Ada Lovelace", 1) != 1) misses++;
    return (void *)misses;
}

static void bad_input(void) {
    CtiPhonebook *book = NULL;
    CHECK(cti_phonebook_open(NULL, "DE", NULL, &book) == CTI_ERR_INVALID_ARGUMENT, "NULL dir");
    CHECK(cti_last_error_code() == CTI_ERR_INVALID_ARGUMENT, "last error code");
    CHECK(strstr(cti_last_error_message(), "dir") != NULL, "message names the argument");
    CHECK(cti_phonebook_open("/tmp", "\xff\xfe", NULL, &book) == CTI_ERR_INVALID_ARGUMENT,
          "invalid UTF-8");
    CHECK(cti_phonebook_open("/tmp", "XX", NULL, &book) == CTI_ERR_CONFIG, "unknown country");
    CHECK(book == NULL, "no handle on failure");
    CHECK(cti_folder_refresh(NULL, FOLDER, NULL) == CTI_ERR_INVALID_ARGUMENT, "NULL book");
    CHECK(cti_matches_len(NULL) == 0, "NULL list");
    cti_phonebook_free(NULL);
    cti_string_free(NULL);
    cti_rows_free(NULL);
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: smoke CACHE_DIR BARE_URL USER PASSWORD\n");
        return 2;
    }
    const char *dir = argv[1], *url = argv[2], *user = argv[3], *password = argv[4];
    CHECK(cti_abi_version() == CTI_ABI_VERSION, "ABI version");
    printf("library %s, ABI %u\n", cti_library_version(), cti_abi_version());
    bad_input();

    CtiPhonebook *book = NULL;
    OK(cti_phonebook_open(dir, "DE", "30", &book));
    if (book == NULL) return 1;

    /* Discovery from the bare server URL. */
    CtiBooks *books = NULL;
    OK(cti_discover(url, user, password, &books));
    CHECK(cti_books_len(books) == 1, "one address book, got %zu", cti_books_len(books));
    CtiAddressBook found;
    OK(cti_books_get(books, 0, &found));
    printf("address book %s '%s'\n", found.url, found.display_name);
    cti_books_free(books);
    CHECK(cti_discover(url, user, "wrong", &books) == CTI_ERR_UNAUTHORIZED, "wrong password");

    CtiColumnCounts columns = {.phones = 4, .emails = 1, .websites = -1, .addresses = -1,
                               .user_defined = 0};
    OK(cti_phonebook_add_carddav(book, FOLDER, url, user, password, NULL, &columns));

    CtiStrings *folders = NULL;
    OK(cti_phonebook_folders(book, &folders));
    CHECK(cti_strings_len(folders) == 1 && strcmp(cti_strings_get(folders, 0), FOLDER) == 0,
          "one folder");
    cti_strings_free(folders);

    /* The schema: four phone columns, labels in English and German. */
    CtiColumns *cols = NULL;
    OK(cti_folder_columns(book, FOLDER, &cols));
    size_t phones = 0;
    for (size_t i = 0; i < cti_columns_len(cols); i++) {
        CtiColumn c;
        OK(cti_columns_get(cols, i, &c));
        if (strcmp(c.kind, "phone") == 0) phones++;
        if (strcmp(c.name, "phone1") == 0) {
            printf("phone1: %s / %s (%s, %s, %s)\n", c.label_en, c.label_de, c.subkind,
                   c.input, c.property);
            CHECK(strcmp(c.input, "phone") == 0 && strcmp(c.property, "TEL") == 0 &&
                      c.label_en[0] != '\0' && c.label_de[0] != '\0',
                  "phone1 described");
        }
    }
    CHECK(phones == 4, "4 phone columns, got %zu", phones);
    cti_columns_free(cols);

    struct counts counts = {0, 0, 0};
    uint64_t change_listener = 0, progress_listener = 0;
    OK(cti_folder_on_change(book, FOLDER, on_change, &counts, &change_listener));
    OK(cti_folder_on_progress(book, FOLDER, on_progress, &counts, &progress_listener));

    /* Create a contact, then sync it back. */
    const char *names[] = {"display_name", "company", "phone1"};
    const char *values[] = {"Ada Lovelace", "Analytical Engines", "+49 30 1234567"};
    char *id = NULL, *version = NULL;
    OK(cti_folder_create(book, FOLDER, names, values, 3, &id, &version));
    CHECK(id != NULL && version != NULL, "id and version handed out");
    const char *bad_name[] = {"no_such_column"};
    CHECK(cti_folder_create(book, FOLDER, bad_name, values, 1, NULL, NULL) == CTI_ERR_CONFIG,
          "unknown column");

    CtiSyncReport report;
    memset(&report, 0, sizeof report);
    OK(cti_folder_reload(book, FOLDER, &report));
    CHECK(report.mode == CTI_SYNC_RELOAD, "reload mode %d", (int)report.mode);
    OK(cti_folder_refresh(book, FOLDER, &report));
    printf("refresh: mode %d, %zu added, %zu changed, %u requests\n", (int)report.mode,
           report.added, report.changed, report.requests);
    OK(cti_folder_refresh_requested(book, FOLDER, &report));
    OK(cti_folder_sync_if_due(book, FOLDER, &report));
    CHECK(report.mode == CTI_SYNC_NOT_DUE, "not due right after a sync: %d", (int)report.mode);
    uint64_t interval = 0;
    OK(cti_folder_set_sync_interval(book, FOLDER, 3600));
    OK(cti_folder_sync_interval(book, FOLDER, &interval));
    CHECK(interval == 3600, "sync interval %llu", (unsigned long long)interval);
    CHECK(cti_folder_set_sync_interval(book, FOLDER, 1) == CTI_ERR_CONFIG, "too short");
    CHECK(counts.changes > 0, "change callback called");
    CHECK(counts.progress > 0 && counts.max_total == 1, "progress callback: %zu calls, total %lld",
          counts.progress, (long long)counts.max_total);

    /* Rows. */
    CtiRows *rows = NULL;
    OK(cti_folder_rows(book, FOLDER, &rows));
    CHECK(cti_rows_len(rows) == 1, "one row, got %zu", cti_rows_len(rows));
    CHECK(strcmp(cti_rows_id(rows, 0), id) == 0, "row id");
    CHECK(strcmp(cti_rows_get(rows, 0, "display_name"), "Ada Lovelace") == 0, "name cell");
    CHECK(strcmp(cti_rows_get(rows, 0, "phone3"), "") == 0, "empty cell");
    CHECK(cti_rows_get(rows, 5, "phone1") == NULL, "row out of range");
    for (size_t i = 0; i < cti_rows_cell_count(rows, 0); i++) {
        const char *column = NULL, *value = NULL;
        OK(cti_rows_cell(rows, 0, i, &column, &value));
        printf("  %s = %s\n", column, value);
    }
    cti_rows_free(rows);

    /* One phone book, two threads: lookups go on while a reload runs. */
    pthread_t reader;
    CHECK(pthread_create(&reader, NULL, lookups, book) == 0, "thread started");
    OK(cti_folder_reload(book, FOLDER, &report));
    void *misses = NULL;
    pthread_join(reader, &misses);
    CHECK(misses == NULL, "lookups during a reload: %ld missed", (long)misses);

    /* Three forms of the number, a withheld caller and text that is no number. */
    CHECK(lookup(book, "030 1234567", "Ada Lovelace") == 1, "national form");
    CHECK(lookup(book, "+49301234567", "Ada Lovelace") == 1, "E.164 form");
    CHECK(lookup(book, "0049 30 1234567", "Ada Lovelace") == 1, "international form");
    CHECK(outcome_of(book, "anonymous") == CTI_CALLER_WITHHELD, "withheld");
    CHECK(outcome_of(book, "hello") == CTI_CALLER_NOT_A_NUMBER, "not a number");

    /* Name search: word starts in any order, with the ranges to highlight; and a
     * number typed nationally finds the one stored internationally. */
    CtiHits *hits = NULL;
    OK(cti_phonebook_search(book, "love ad", 10, &hits));
    CHECK(cti_hits_len(hits) == 1, "one hit, got %zu", cti_hits_len(hits));
    CtiHit hit;
    OK(cti_hits_get(hits, 0, &hit));
    CHECK(strcmp(hit.display_name, "Ada Lovelace") == 0 && strcmp(hit.folder, FOLDER) == 0 &&
              strcmp(hit.company, "Analytical Engines") == 0 && hit.field_count >= 1,
          "hit %s in %s, %zu fields", hit.display_name, hit.folder, hit.field_count);
    CtiMatchedField field;
    OK(cti_hits_field(hits, 0, 0, &field));
    CHECK(strcmp(field.column, "display_name") == 0 && field.range_count == 2 &&
              field.ranges[0].start == 0 && field.ranges[0].end == 2 &&
              field.ranges[1].start == 4 && field.ranges[1].end == 8,
          "display_name [Ad]a [Love]lace: %s, %zu ranges", field.column, field.range_count);
    CHECK(cti_hits_field(hits, 0, hit.field_count, &field) == CTI_ERR_INVALID_ARGUMENT,
          "field out of range");
    CHECK(cti_hits_get(hits, 1, &hit) == CTI_ERR_INVALID_ARGUMENT, "hit out of range");
    cti_hits_free(hits);
    OK(cti_phonebook_search(book, "030 123", 10, &hits));
    CHECK(cti_hits_len(hits) == 1, "number typed nationally: %zu hits", cti_hits_len(hits));
    cti_hits_free(hits);
    CHECK(cti_phonebook_search(book, NULL, 10, &hits) == CTI_ERR_INVALID_ARGUMENT, "NULL text");
    CHECK(cti_hits_len(NULL) == 0, "NULL hits");
    cti_hits_free(NULL);

    char *digits = NULL;
    OK(cti_phonebook_dial(book, "+49 89 1234567", &digits));
    CHECK(digits != NULL && strcmp(digits, "0891234567") == 0, "dial digits %s", digits);
    cti_string_free(digits);
    CHECK(cti_phonebook_dial(book, "hello", &digits) == CTI_ERR_NOT_A_NUMBER, "dial text");

    /* Edit a cell, then an edit based on the old version is a conflict. */
    const char *edit_names[] = {"phone3"};
    const char *edit_values[] = {"+49 170 5550123"};
    char *new_version = NULL;
    OK(cti_folder_update(book, FOLDER, id, version, edit_names, edit_values, 1, &new_version));
    CHECK(new_version != NULL && strcmp(new_version, version) != 0, "a new version");
    CHECK(lookup(book, "0170 5550123", "Ada Lovelace") == 1, "edited number found");
    const char *stale_values[] = {"+49 170 5550999"};
    CHECK(cti_folder_update(book, FOLDER, id, version, edit_names, stale_values, 1, NULL) ==
              CTI_ERR_CONFLICT,
          "stale edit is a conflict");
    CHECK(cti_last_error_code() == CTI_ERR_CONFLICT, "conflict is the last error");
    printf("conflict: %s\n", cti_last_error_message());
    OK(cti_folder_refresh_record(book, FOLDER, id, &report));
    CHECK(report.mode == CTI_SYNC_RECORD, "record mode %d", (int)report.mode);

    /* Adding the folder again reconnects it in place: cache and columns stay. */
    OK(cti_phonebook_add_carddav(book, FOLDER, url, user, password, NULL, NULL));
    OK(cti_folder_refresh(book, FOLDER, &report));
    OK(cti_folder_rows(book, FOLDER, &rows));
    CHECK(cti_rows_len(rows) == 1, "still one row, got %zu", cti_rows_len(rows));
    CHECK(strcmp(cti_rows_get(rows, 0, "phone3"), "+49 170 5550123") == 0, "edited cell kept");
    cti_rows_free(rows);
    OK(cti_folder_columns(book, FOLDER, &cols));
    phones = 0;
    for (size_t i = 0; i < cti_columns_len(cols); i++) {
        CtiColumn c;
        if (cti_columns_get(cols, i, &c) == CTI_OK && strcmp(c.kind, "phone") == 0) phones++;
    }
    CHECK(phones == 4, "still 4 phone columns, got %zu", phones);
    cti_columns_free(cols);
    CHECK(cti_phonebook_add_carddav(book, "Other", url, user, password, "no such book", NULL) ==
              CTI_ERR_NOT_FOUND,
          "unknown address book");

    /* Create and delete a second contact; a stale delete is a conflict too. */
    const char *bob_values[] = {"Bob Babbage", "Analytical Engines", "+49 30 7654321"};
    char *bob = NULL, *bob_version = NULL;
    OK(cti_folder_create(book, FOLDER, names, bob_values, 3, &bob, &bob_version));
    OK(cti_folder_delete(book, FOLDER, bob, bob_version));
    CHECK(lookup(book, "030 7654321", "Bob Babbage") == 0, "deleted contact gone");
    cti_string_free(bob);
    cti_string_free(bob_version);

    OK(cti_phonebook_remove_listener(book, progress_listener));
    CHECK(cti_phonebook_remove_listener(book, progress_listener) == CTI_ERR_INVALID_ARGUMENT,
          "removed twice");

    /* The server goes away: lookups go on from the cache. */
    printf("STOP-SERVER\n");
    fflush(stdout);
    char line[16];
    if (fgets(line, sizeof line, stdin) == NULL) CHECK(0, "stdin closed");
    CHECK(lookup(book, "+49 30 1234567", "Ada Lovelace") == 1, "offline lookup");
    CHECK(cti_folder_refresh(book, FOLDER, &report) == CTI_ERR_NETWORK, "offline refresh");
    cti_phonebook_free(book);

    /* A host started later finds the folder in its cache, without the network. */
    book = NULL;
    OK(cti_phonebook_open(dir, "DE", "30", &book));
    CHECK(lookup(book, "030 1234567", "Ada Lovelace") == 1, "lookup after reopening");
    OK(cti_phonebook_remove_folder(book, FOLDER, 1));
    CHECK(lookup(book, "030 1234567", "Ada Lovelace") == 0, "removed folder");
    CHECK(cti_phonebook_remove_folder(book, FOLDER, 0) == CTI_ERR_NOT_FOUND, "removed twice");
    cti_phonebook_free(book);

    cti_string_free(id);
    cti_string_free(version);
    cti_string_free(new_version);
    if (failures) {
        fprintf(stderr, "%d checks failed\n", failures);
        return 1;
    }
    printf("SMOKE OK\n");
    return 0;
}
