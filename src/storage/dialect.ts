/** The SQL dialects storage runs on; migrations branch on it where the two differ. */
export type Dialect = "sqlite" | "postgres";
