/* sy-catalog-page.c
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The hub's catalog, one row per course: its size, and "Download", "Update" or
 * "Installed". A download shows its progress in the row and can be stopped; it resumes
 * where it stopped next time (the engine keeps the .part file). One download at a time,
 * and none while a sync runs: the monitor holds its runs meanwhile. On a metered
 * connection a warning says that courses are large.
 */
#define G_LOG_DOMAIN "Shuyuan"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "sy-catalog-page.h"
#include "sy-util.h"

/* ---- a row ---- */

#define SY_TYPE_CATALOG_ROW (sy_catalog_row_get_type ())
G_DECLARE_FINAL_TYPE (SyCatalogRow, sy_catalog_row, SY, CATALOG_ROW, AdwActionRow)

struct _SyCatalogRow
{
  AdwActionRow     parent_instance;

  GPtrArray       *entries;      /* keeps @entry alive */
  SyCatalogEntry  *entry;
  GCancellable    *cancellable;  /* the download */
  char            *error_text;

  GtkStack        *stack;
  GtkWidget       *button;
  GtkProgressBar  *progress_bar;
  GtkWidget       *stop_button;
};

G_DEFINE_FINAL_TYPE (SyCatalogRow, sy_catalog_row, ADW_TYPE_ACTION_ROW)

static void
sy_catalog_row_dispose (GObject *object)
{
  SyCatalogRow *self = SY_CATALOG_ROW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (sy_catalog_row_parent_class)->dispose (object);
}

static void
sy_catalog_row_finalize (GObject *object)
{
  SyCatalogRow *self = SY_CATALOG_ROW (object);

  g_clear_pointer (&self->entries, g_ptr_array_unref);
  g_free (self->error_text);

  G_OBJECT_CLASS (sy_catalog_row_parent_class)->finalize (object);
}

static void
sy_catalog_row_class_init (SyCatalogRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sy_catalog_row_dispose;
  object_class->finalize = sy_catalog_row_finalize;
}

static void
sy_catalog_row_init (SyCatalogRow *self)
{
}

static gboolean
row_is_installed (SyCatalogRow *row)
{
  return row->entry->installed_version >= row->entry->version;
}

/* The subtitle: programme, size, whether an update is there, or what went wrong. */
static void
row_update (SyCatalogRow *row)
{
  const SyCatalogEntry *entry = row->entry;
  g_autofree char *size = g_format_size (entry->size);
  g_autoptr(GString) subtitle = g_string_new (NULL);
  g_autofree char *escaped = NULL;
  g_autofree char *accessible = NULL;
  gboolean update = entry->installed_version > 0 && !row_is_installed (row);

  if (row->error_text != NULL)
    g_string_append (subtitle, row->error_text);
  else
    {
      const char *programme = entry->programme ? sy_programme_display_name (entry->programme) : NULL;

      if (programme != NULL && programme[0] != '\0')
        g_string_append_printf (subtitle, "%s · ", programme);
      g_string_append (subtitle, size);
      if (update)
        g_string_append_printf (subtitle, " · %s", _("Update available"));
    }
  escaped = g_markup_escape_text (subtitle->str, -1);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), escaped);
  if (row->error_text != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (row), "error");

  if (row->cancellable != NULL)
    gtk_stack_set_visible_child_name (row->stack, "progress");
  else if (row_is_installed (row))
    gtk_stack_set_visible_child_name (row->stack, "installed");
  else
    gtk_stack_set_visible_child_name (row->stack, "button");

  gtk_button_set_label (GTK_BUTTON (row->button),
                        row->error_text != NULL ? _("_Try Again")
                        : update ? _("_Update") : _("_Download"));
  /* Translators: a button's accessible name; %s is a course title */
  accessible = g_strdup_printf (update ? _("Update “%s”") : _("Download “%s”"), entry->title);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row->button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, accessible,
                                  -1);
}

static SyCatalogRow *
row_new (GPtrArray      *entries,
         SyCatalogEntry *entry)
{
  SyCatalogRow *row = g_object_new (SY_TYPE_CATALOG_ROW, NULL);
  g_autofree char *title = g_markup_escape_text (entry->title, -1);
  g_autofree char *stop_label = NULL;
  GtkWidget *box;
  GtkWidget *installed;

  row->entries = g_ptr_array_ref (entries);
  row->entry = entry;
  gtk_widget_set_name (GTK_WIDGET (row), entry->id);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 3);

  row->stack = GTK_STACK (gtk_stack_new ());
  gtk_stack_set_hhomogeneous (row->stack, FALSE);
  gtk_widget_set_valign (GTK_WIDGET (row->stack), GTK_ALIGN_CENTER);

  row->button = gtk_button_new_with_mnemonic (_("_Download"));
  gtk_widget_set_valign (row->button, GTK_ALIGN_CENTER);
  gtk_stack_add_named (row->stack, row->button, "button");

  installed = gtk_label_new (_("Installed"));
  gtk_widget_add_css_class (installed, "dim-label");
  gtk_stack_add_named (row->stack, installed, "installed");

  box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  row->progress_bar = GTK_PROGRESS_BAR (gtk_progress_bar_new ());
  gtk_widget_set_valign (GTK_WIDGET (row->progress_bar), GTK_ALIGN_CENTER);
  gtk_widget_set_size_request (GTK_WIDGET (row->progress_bar), 120, -1);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (row->progress_bar));
  row->stop_button = gtk_button_new_from_icon_name ("process-stop-symbolic");
  gtk_widget_set_valign (row->stop_button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (row->stop_button, "flat");
  gtk_widget_add_css_class (row->stop_button, "circular");
  gtk_widget_set_tooltip_text (row->stop_button, _("Stop Download"));
  /* Translators: a button's accessible name; %s is a course title */
  stop_label = g_strdup_printf (_("Stop downloading “%s”"), entry->title);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row->stop_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, stop_label,
                                  -1);
  gtk_box_append (GTK_BOX (box), row->stop_button);
  gtk_stack_add_named (row->stack, box, "progress");

  adw_action_row_add_suffix (ADW_ACTION_ROW (row), GTK_WIDGET (row->stack));
  row_update (row);
  return row;
}

/* ---- the page ---- */

struct _SyCatalogPage
{
  AdwBin           parent_instance;

  SySyncMonitor   *monitor;
  GCancellable    *cancellable;      /* the catalog */
  SyCatalogRow    *downloading;      /* the row whose course is downloading */
  char            *error_text;
  guint            loading : 1;

  /* template */
  AdwWindowTitle  *window_title;
  GtkWidget       *refresh_button;
  GtkStack        *stack;
  GtkSpinner      *spinner;
  AdwStatusPage   *error_page;
  GtkWidget       *metered_list;
  GtkListBox      *list;
};

G_DEFINE_FINAL_TYPE (SyCatalogPage, sy_catalog_page, ADW_TYPE_BIN)

enum {
  SIGNAL_COURSE_INSTALLED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
update_buttons (SyCatalogPage *self)
{
  /* The monitor is busy with our own download too: a sync alone stops the buttons. */
  gboolean sync_running = self->monitor != NULL && sy_sync_monitor_get_busy (self->monitor) &&
                          self->downloading == NULL;

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->list));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (SY_IS_CATALOG_ROW (child))
      {
        SyCatalogRow *row = SY_CATALOG_ROW (child);

        gtk_widget_set_sensitive (row->button, self->downloading == NULL && !sync_running);
        gtk_widget_set_tooltip_text (row->button,
                                     sync_running ? _("Wait until the sync is finished")
                                     : self->downloading != NULL ? _("Wait until the other download is finished")
                                     : NULL);
      }

  gtk_widget_set_sensitive (self->refresh_button, !self->loading && self->downloading == NULL);
  /* Nothing to look at again without a hub */
  gtk_widget_set_visible (self->refresh_button,
                          self->monitor != NULL && sy_sync_monitor_get_enrolled (self->monitor));
}

static void
update_metered (SyCatalogPage *self)
{
  gtk_widget_set_visible (self->metered_list,
                          self->monitor != NULL && sy_sync_monitor_get_metered (self->monitor));
}

static void
show_error (SyCatalogPage *self,
            const GError  *error)
{
  g_autofree char *text = sy_sync_describe_error (error);
  g_autofree char *escaped = g_markup_escape_text (text, -1);

  g_free (self->error_text);
  self->error_text = g_steal_pointer (&text);
  adw_status_page_set_icon_name (self->error_page,
                                 g_error_matches (error, SY_SYNC_ERROR, SY_SYNC_ERROR_NETWORK)
                                 ? "network-offline-symbolic" : "dialog-warning-symbolic");
  adw_status_page_set_description (self->error_page, escaped);
  gtk_stack_set_visible_child_name (self->stack, "error");
}

static int
compare_entries (gconstpointer a,
                 gconstpointer b)
{
  const SyCatalogEntry *entry_a = *(SyCatalogEntry **) a;
  const SyCatalogEntry *entry_b = *(SyCatalogEntry **) b;
  int ret = g_utf8_collate (entry_a->title, entry_b->title);

  return ret != 0 ? ret : g_strcmp0 (entry_a->id, entry_b->id);
}

/* ---- downloading ---- */

static void
download_progress_cb (const SySyncProgress *progress,
                      gpointer              user_data)
{
  SyCatalogRow *row = user_data;

  if (progress->phase == SY_SYNC_PHASE_DOWNLOAD && progress->total > 0)
    gtk_progress_bar_set_fraction (row->progress_bar,
                                   MIN (1.0, (double) progress->done / progress->total));
  else if (progress->phase == SY_SYNC_PHASE_IMPORT)
    gtk_progress_bar_set_fraction (row->progress_bar, 1.0);
  else
    gtk_progress_bar_pulse (row->progress_bar);
}

static void
download_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(SyCatalogPage) self = user_data;
  g_autoptr(GError) error = NULL;
  SyCatalogRow *row = self->downloading;
  gboolean ok;

  ok = sy_sync_download_finish (SY_STORE (object), result, &error);

  self->downloading = NULL;
  if (self->monitor != NULL)
    sy_sync_monitor_release (self->monitor);
  if (row == NULL)
    return;

  g_clear_object (&row->cancellable);
  g_clear_pointer (&row->error_text, g_free);

  if (ok)
    {
      g_debug ("Downloaded %s version %d", row->entry->id, row->entry->version);
      row->entry->installed_version = row->entry->version;
      row_update (row);
      g_signal_emit (self, signals[SIGNAL_COURSE_INSTALLED], 0, row->entry->id, row->entry->title);
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      row_update (row);
    }
  else
    {
      g_debug ("Could not download %s: %s", row->entry->id, error->message);
      row->error_text = sy_sync_describe_error (error);
      row_update (row);
    }

  update_buttons (self);
  if (gtk_widget_get_mapped (GTK_WIDGET (row)) && gtk_widget_get_visible (row->button))
    gtk_widget_grab_focus (row->button);
  g_object_unref (row);
}

static void
download_clicked_cb (SyCatalogPage *self,
                     GtkButton     *button)
{
  SyCatalogRow *row = SY_CATALOG_ROW (gtk_widget_get_ancestor (GTK_WIDGET (button), SY_TYPE_CATALOG_ROW));

  if (self->downloading != NULL || self->monitor == NULL || sy_sync_monitor_get_busy (self->monitor))
    return;

  self->downloading = g_object_ref (row);
  sy_sync_monitor_hold (self->monitor);
  g_clear_pointer (&row->error_text, g_free);
  row->cancellable = g_cancellable_new ();
  gtk_progress_bar_set_fraction (row->progress_bar, 0.0);
  row_update (row);
  update_buttons (self);
  gtk_widget_grab_focus (row->stop_button);

  sy_sync_download_async (sy_sync_monitor_get_store (self->monitor), row->entry,
                          download_progress_cb, g_object_ref (row), g_object_unref,
                          row->cancellable, download_cb, g_object_ref (self));
}

static void
stop_clicked_cb (SyCatalogPage *self,
                 GtkButton     *button)
{
  SyCatalogRow *row = SY_CATALOG_ROW (gtk_widget_get_ancestor (GTK_WIDGET (button), SY_TYPE_CATALOG_ROW));

  g_cancellable_cancel (row->cancellable);
}

/* ---- the catalog ---- */

static void
catalog_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(SyCatalogPage) self = user_data;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *child;

  entries = sy_sync_get_catalog_finish (SY_STORE (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->loading = FALSE;
  gtk_spinner_stop (self->spinner);
  update_buttons (self);

  if (entries == NULL)
    {
      g_debug ("No catalog: %s", error->message);
      if (g_error_matches (error, SY_SYNC_ERROR, SY_SYNC_ERROR_NOT_ENROLLED))
        gtk_stack_set_visible_child_name (self->stack, "not-enrolled");
      else
        show_error (self, error);
      return;
    }

  g_clear_pointer (&self->error_text, g_free);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL)
    gtk_list_box_remove (self->list, child);

  g_ptr_array_sort (entries, compare_entries);
  for (guint i = 0; i < entries->len; i++)
    {
      SyCatalogRow *row = row_new (entries, g_ptr_array_index (entries, i));

      g_signal_connect_object (row->button, "clicked", G_CALLBACK (download_clicked_cb), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (row->stop_button, "clicked", G_CALLBACK (stop_clicked_cb), self,
                               G_CONNECT_SWAPPED);
      gtk_list_box_append (self->list, GTK_WIDGET (row));
    }
  update_buttons (self);
  update_metered (self);

  gtk_stack_set_visible_child_name (self->stack, entries->len > 0 ? "list" : "empty");
  if (entries->len > 0)
    gtk_widget_child_focus (GTK_WIDGET (self->list), GTK_DIR_TAB_FORWARD);
}

/**
 * sy_catalog_page_load:
 *
 * Asks the hub for its catalog again, unless a download is under way (its row would go).
 */
void
sy_catalog_page_load (SyCatalogPage *self)
{
  g_return_if_fail (SY_IS_CATALOG_PAGE (self));

  if (self->downloading != NULL || self->monitor == NULL)
    return;

  update_metered (self);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);

  adw_window_title_set_subtitle (self->window_title, sy_sync_monitor_get_organisation (self->monitor));
  if (!sy_sync_monitor_get_enrolled (self->monitor))
    {
      self->loading = FALSE;
      gtk_stack_set_visible_child_name (self->stack, "not-enrolled");
      update_buttons (self);
      return;
    }

  self->cancellable = g_cancellable_new ();
  self->loading = TRUE;
  gtk_spinner_start (self->spinner);
  gtk_stack_set_visible_child_name (self->stack, "loading");
  update_buttons (self);
  sy_sync_get_catalog_async (sy_sync_monitor_get_store (self->monitor), self->cancellable,
                             catalog_cb, g_object_ref (self));
}

static void
refresh_clicked_cb (SyCatalogPage *self)
{
  sy_catalog_page_load (self);
}

static void
monitor_enrolled_cb (SyCatalogPage *self)
{
  /* Enrolled (or forgotten) in Preferences while this page was open */
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    sy_catalog_page_load (self);
}

/**
 * sy_catalog_page_set_monitor:
 * @monitor: the sync monitor of the window's data folder
 */
void
sy_catalog_page_set_monitor (SyCatalogPage *self,
                             SySyncMonitor *monitor)
{
  g_return_if_fail (SY_IS_CATALOG_PAGE (self));
  g_return_if_fail (monitor == NULL || SY_IS_SYNC_MONITOR (monitor));

  if (self->monitor != NULL)
    g_signal_handlers_disconnect_by_data (self->monitor, self);
  g_set_object (&self->monitor, monitor);
  if (monitor != NULL)
    {
      g_signal_connect_object (monitor, "notify::busy", G_CALLBACK (update_buttons), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (monitor, "notify::metered", G_CALLBACK (update_metered), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (monitor, "notify::enrolled", G_CALLBACK (monitor_enrolled_cb), self,
                               G_CONNECT_SWAPPED);
    }
}

/* Returns: whether the catalog is loading or a course downloading */
gboolean
sy_catalog_page_get_busy (SyCatalogPage *self)
{
  g_return_val_if_fail (SY_IS_CATALOG_PAGE (self), FALSE);

  return self->loading || self->downloading != NULL;
}

static void
sy_catalog_page_dispose (GObject *object)
{
  SyCatalogPage *self = SY_CATALOG_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  if (self->downloading != NULL)
    g_cancellable_cancel (self->downloading->cancellable);
  if (self->monitor != NULL)
    g_signal_handlers_disconnect_by_data (self->monitor, self);
  gtk_widget_dispose_template (GTK_WIDGET (self), SY_TYPE_CATALOG_PAGE);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (sy_catalog_page_parent_class)->dispose (object);
}

static void
sy_catalog_page_finalize (GObject *object)
{
  SyCatalogPage *self = SY_CATALOG_PAGE (object);

  /* The download's callback held a reference: it is over, and released the monitor. */
  g_assert (self->downloading == NULL);
  g_clear_object (&self->monitor);
  g_free (self->error_text);

  G_OBJECT_CLASS (sy_catalog_page_parent_class)->finalize (object);
}

static void
sy_catalog_page_class_init (SyCatalogPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sy_catalog_page_dispose;
  object_class->finalize = sy_catalog_page_finalize;

  /**
   * SyCatalogPage::course-installed:
   * @course_id: the course downloaded and installed
   * @title: its title
   */
  signals[SIGNAL_COURSE_INSTALLED] =
    g_signal_new ("course-installed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/shuyuan/Shuyuan/sy-catalog-page.ui");
  gtk_widget_class_bind_template_child (widget_class, SyCatalogPage, window_title);
  gtk_widget_class_bind_template_child (widget_class, SyCatalogPage, refresh_button);
  gtk_widget_class_bind_template_child (widget_class, SyCatalogPage, stack);
  gtk_widget_class_bind_template_child (widget_class, SyCatalogPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, SyCatalogPage, error_page);
  gtk_widget_class_bind_template_child (widget_class, SyCatalogPage, metered_list);
  gtk_widget_class_bind_template_child (widget_class, SyCatalogPage, list);
  gtk_widget_class_bind_template_callback (widget_class, refresh_clicked_cb);
}

static void
sy_catalog_page_init (SyCatalogPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/* ---- for the tests ---- */

static SyCatalogRow *
find_row (SyCatalogPage *self,
          const char    *course_id)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->list));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (SY_IS_CATALOG_ROW (child) && g_strcmp0 (SY_CATALOG_ROW (child)->entry->id, course_id) == 0)
      return SY_CATALOG_ROW (child);
  return NULL;
}

/* Returns: "loading", "not-enrolled", "error", "empty" or "list" */
const char *
_sy_catalog_page_get_view (SyCatalogPage *self)
{
  return gtk_stack_get_visible_child_name (self->stack);
}

/* Returns: (nullable): the error the page shows */
const char *
_sy_catalog_page_get_error (SyCatalogPage *self)
{
  return self->error_text;
}

guint
_sy_catalog_page_get_n_rows (SyCatalogPage *self)
{
  guint n = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->list));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n += SY_IS_CATALOG_ROW (child);
  return n;
}

AdwActionRow *
_sy_catalog_page_get_row (SyCatalogPage *self,
                          const char    *course_id)
{
  return ADW_ACTION_ROW (find_row (self, course_id));
}

/* Returns: (nullable): "button", "installed" or "progress" */
const char *
_sy_catalog_page_get_row_state (SyCatalogPage *self,
                                const char    *course_id)
{
  SyCatalogRow *row = find_row (self, course_id);

  return row != NULL ? gtk_stack_get_visible_child_name (row->stack) : NULL;
}

GtkWidget *
_sy_catalog_page_get_row_button (SyCatalogPage *self,
                                 const char    *course_id)
{
  SyCatalogRow *row = find_row (self, course_id);

  return row != NULL ? row->button : NULL;
}

gboolean
_sy_catalog_page_get_metered_shown (SyCatalogPage *self)
{
  return gtk_widget_get_visible (self->metered_list);
}
