"""The 垫江县 seat (107.35E, 30.33N) in every coordinate form the import tests read, hand-checked in
tests/geo/test_crs.py (PROJ and an independent Transverse Mercator series agree to 0.1 mm), and the
.prj ArcGIS writes for the CGCS2000 3° zone of 108°E."""

SEAT = (107.35, 30.33)
SEAT_4524 = (36_437_491.796, 3_356_874.677)  # easting with zone prefix 36, northing
SEAT_4545 = (437_491.796, 3_356_874.677)  # the same without the prefix
SEAT_4496 = (18_726_020.087, 3_359_037.098)  # 6° zone 18
SEAT_GCJ = (107.3546027, 30.3275054)
SEAT_BD = (107.3611492, 30.3332676)
SEAT_3857 = (11_950_147.34, 3_546_039.19)
ESRI_CM108 = (
    'PROJCS["CGCS2000_3_Degree_GK_CM_108E",GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",'
    'DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],'
    'UNIT["Degree",0.0174532925199433]],PROJECTION["Gauss_Kruger"],PARAMETER["False_Easting",500000.0],'
    'PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",108.0],PARAMETER["Scale_Factor",1.0],'
    'PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]'
)
